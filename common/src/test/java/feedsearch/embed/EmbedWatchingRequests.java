package feedsearch.embed;

import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.List;

/**
 * A JVM that embeds a text with the local model and prints every http or https URL opened
 * meanwhile through the JDK's URL classes (what DJL uses), refusing each: for
 * {@link LocalEmbedderNetworkTest}.
 */
public final class EmbedWatchingRequests {
    public static void main(String[] args) {
        URL.setURLStreamHandlerFactory(protocol -> protocol.startsWith("http") ? new Refused() : null);
        float[] vector = new LocalEmbedder().embed(List.of("how do I build a bot")).get(0);
        System.out.println("embedded " + vector.length);
    }

    private static final class Refused extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL url) throws IOException {
            return openConnection(url, Proxy.NO_PROXY);
        }

        @Override
        protected URLConnection openConnection(URL url, Proxy proxy) throws IOException {
            System.out.println("request " + url);
            throw new IOException("no network in this test");
        }
    }
}

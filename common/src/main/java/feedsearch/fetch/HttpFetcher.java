package feedsearch.fetch;

import feedsearch.Printable;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509TrustManager;

/**
 * GETs feeds and pages the way a defensive crawler must, since every byte, header and delay is
 * chosen by a stranger: http/https only; each address checked before connecting (see
 * {@link GuardedDns}); redirects followed by hand, at most five, each one checked again; one
 * deadline for the whole exchange, redirects and body included, so a server that drips bytes
 * cannot hold a cron job; error and oversized answers refused on their headers and their
 * connection closed, never drained; bodies capped after gzip decoding.
 */
public final class HttpFetcher implements AutoCloseable {
    static final int MAX_REDIRECTS = 5;

    /** For http:// only: they never set up TLS, which costs a cron run over plain-http feeds a third of its time. */
    private final OkHttpClient plainPublicOnly;
    private final OkHttpClient plainAnyNetwork;
    /** For https://, made on the first https request; they share the plain clients' connection pool and threads. */
    private OkHttpClient tlsPublicOnly;
    private OkHttpClient tlsAnyNetwork;
    private final ConnectionPool pool;
    private final Dispatcher dispatcher;
    private final Dns names;
    private final Duration timeout;
    private final long maxBytes;
    private final String userAgent;

    /** @param names resolves host names; every answer is checked before it is connected to */
    HttpFetcher(Duration timeout, long maxBytes, String userAgent, Dns names) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.userAgent = userAgent;
        this.names = names;
        this.pool = new ConnectionPool();
        this.dispatcher = new Dispatcher();
        this.plainPublicOnly = builder(false).sslSocketFactory(NoTls.SOCKETS, NoTls.TRUST).build();
        this.plainAnyNetwork = builder(true).sslSocketFactory(NoTls.SOCKETS, NoTls.TRUST).build();
    }

    private OkHttpClient.Builder builder(boolean anyNetwork) {
        return new OkHttpClient.Builder()
                // A proxy would resolve names itself, out of the address check's sight.
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .connectionPool(pool)
                .dispatcher(dispatcher)
                .dns(new GuardedDns(anyNetwork, names));
    }

    private OkHttpClient client(URI target, boolean anyNetwork) {
        if (!"https".equalsIgnoreCase(target.getScheme())) {
            return anyNetwork ? plainAnyNetwork : plainPublicOnly;
        }
        synchronized (this) {
            if (tlsPublicOnly == null) {
                tlsPublicOnly = builder(false).build(); // the platform's trust store and TLS context
                tlsAnyNetwork = builder(true).build();
            }
            return anyNetwork ? tlsAnyNetwork : tlsPublicOnly;
        }
    }

    /** What an http:// client has in place of TLS: an http URL never reaches it, and if one did, it fails. */
    private static final class NoTls extends SSLSocketFactory implements X509TrustManager {
        static final NoTls SOCKETS = new NoTls();
        static final X509TrustManager TRUST = SOCKETS;

        private static IOException refused() {
            return new IOException("TLS is not set up on a client for http:// URLs");
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return new String[0];
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return new String[0];
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            throw refused();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw refused();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            throw refused();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            throw refused();
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            throw refused();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("TLS is not set up on a client for http:// URLs");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("TLS is not set up on a client for http:// URLs");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    public static boolean isHttp(URI uri) {
        String scheme = uri.getScheme();
        return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
    }

    /**
     * A GET, conditional when validators are given (a 304 comes back as
     * {@link FetchedResource#notModified()}), following redirects within the deadline.
     *
     * @param privateAddresses whether loopback and private addresses may be reached
     */
    public FetchedResource get(URI uri, boolean privateAddresses, Expect expect, String etag, String lastModified)
            throws FetchException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<URI> visited = new ArrayList<>();
        URI current = uri;
        while (true) {
            if (!isHttp(current)) {
                throw new FetchException(uri + ": redirected to " + current + ", which is not http or https; not followed");
            }
            if (visited.contains(current)) {
                throw new FetchException(uri + ": redirect loop (" + current + " again after " + visited.size() + " redirects)");
            }
            if (visited.size() > MAX_REDIRECTS) {
                throw new FetchException(uri + ": more than " + MAX_REDIRECTS + " redirects (last to " + current + ")");
            }
            visited.add(current);
            String where = current.equals(uri) ? uri.toString() : uri + " (redirected to " + current + ")";
            Call call = newCall(current, client(current, privateAddresses), deadline, etag, lastModified);
            try (Response response = execute(call, where, current.getHost(), deadline)) {
                int status = response.code();
                if (status >= 300 && status <= 399 && status != 304) {
                    call.cancel(); // whatever a redirect's body holds, it is not read
                    current = redirectTarget(uri, current, response);
                    continue;
                }
                if (status == 304) {
                    return FetchedResource.notModified(current);
                }
                if (status < 200 || status > 299) {
                    call.cancel(); // an endless error page is closed, not drained
                    throw new FetchException(where + ": HTTP " + status);
                }
                return read(where, current, call, response, expect, deadline);
            }
        }
    }

    private Call newCall(URI target, OkHttpClient client, long deadline, String etag, String lastModified) throws FetchException {
        HttpUrl url = HttpUrl.get(target);
        if (url == null) {
            throw new FetchException(target + ": not a URL that can be fetched");
        }
        Request.Builder request = new Request.Builder().url(url).header("User-Agent", userAgent).get();
        // Validators are what a server sent last time; one that is not plain ASCII is not sent back.
        if (isHeaderValue(etag)) {
            request.header("If-None-Match", etag);
        }
        if (isHeaderValue(lastModified)) {
            request.header("If-Modified-Since", lastModified);
        }
        Call call = client.newCall(request.build());
        call.timeout().timeout(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return call;
    }

    private Response execute(Call call, String where, String host, long deadline) throws FetchException {
        try {
            return call.execute();
        } catch (GuardedDns.RefusedAddressException e) {
            throw new FetchException(where + ": refused: " + e.getMessage(), e);
        } catch (UnknownHostException e) {
            throw new FetchException(where + ": unknown host " + host, e);
        } catch (ConnectException e) {
            throw new FetchException(where + ": connection refused", e);
        } catch (IOException e) {
            throw failure(where, e, deadline);
        }
    }

    private static boolean isHeaderValue(String value) {
        return value != null && !value.isEmpty() && value.length() <= 1024 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private static URI redirectTarget(URI original, URI current, Response response) throws FetchException {
        String location = response.header("Location");
        if (location == null || location.isBlank()) {
            throw new FetchException(current + ": HTTP " + response.code() + " redirect without a Location");
        }
        try {
            return current.resolve(new URI(location.strip()));
        } catch (Exception e) {
            throw new FetchException(original + ": redirected to an invalid URL: " + Printable.line(location, 200));
        }
    }

    /** The body, unless its headers already say it is not wanted; then the connection is cut instead of drained. */
    private FetchedResource read(String where, URI uri, Call call, Response response, Expect expect, long deadline)
            throws FetchException {
        ResponseBody body = response.body();
        String contentType = response.header("Content-Type");
        String mediaType = FetchedResource.mediaTypeOf(contentType);
        String encoding = response.header("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
            // OkHttp decodes gzip, which is all we ask for, and removes the header; anything left is unreadable.
            call.cancel();
            throw new FetchException(where + ": sent in an encoding we did not ask for (" + Printable.line(encoding, 40) + ")");
        }
        if (!expect.accepts(mediaType)) {
            call.cancel();
            throw new FetchException(where + ": got " + Printable.line(mediaType, 80) + ", not an HTML page");
        }
        // OkHttp drops Content-Length when it decodes gzip itself; then only the decoded count below applies.
        long declared = body == null ? -1 : body.contentLength();
        if (declared > maxBytes) {
            call.cancel();
            throw tooLarge(where, " (Content-Length " + declared + ")");
        }
        byte[] bytes = body == null ? new byte[0] : readCapped(where, call, body, deadline);
        return new FetchedResource(uri, false, bytes, contentType, response.header("ETag"), response.header("Last-Modified"));
    }

    private byte[] readCapped(String where, Call call, ResponseBody body, long deadline) throws FetchException {
        try (InputStream in = body.byteStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + n > maxBytes) {
                    call.cancel();
                    throw tooLarge(where, "");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (FetchException e) {
            throw e;
        } catch (IOException e) {
            throw failure(where, e, deadline);
        }
    }

    private FetchException failure(String where, IOException e, long deadline) {
        if (System.nanoTime() >= deadline) {
            return new FetchException(where + ": no complete answer within " + timeout.toSeconds() + "s", e);
        }
        if (e instanceof SocketTimeoutException) {
            String what = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("connect") ? "connection" : "answer";
            return new FetchException(where + ": " + what + " timed out after " + timeout.toSeconds() + "s", e);
        }
        return new FetchException(where + ": " + (e.getMessage() != null ? Printable.line(e.getMessage(), 200)
                : e.getClass().getSimpleName()), e);
    }

    private FetchException tooLarge(String where, String detail) {
        return new FetchException(where + ": larger than the " + Sizes.describe(maxBytes) + " size cap" + detail);
    }

    @Override
    public void close() {
        pool.evictAll();
    }
}

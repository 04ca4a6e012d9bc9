package feedsearch.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on a free loopback port, serving what the test puts in it: feeds and pages,
 * with ETags and 304s, 404s, and pages that wait for the test to let them go; and, for tests of
 * hostile input, raw bytes with any Content-Type (or none) and any extra headers.
 */
public final class FeedServer implements AutoCloseable {
    private record Resource(int status, String contentType, byte[] body, Map<String, String> headers) {
        Resource(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }
    }

    private final HttpServer server;
    private final Map<String, Resource> resources = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    public FeedServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "feed-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI uri(String path) {
        return URI.create(base() + path);
    }

    public FeedServer serve(String path, String contentType, byte[] body) {
        resources.put(path, new Resource(200, contentType, body));
        return this;
    }

    /**
     * Serves bytes exactly as given: {@code contentType} may be anything, or null for no
     * Content-Type header; {@code headers} are sent as they are (a Content-Encoding that does not
     * match the body, say).
     */
    public FeedServer serveRaw(String path, String contentType, byte[] body, Map<String, String> headers) {
        resources.put(path, new Resource(200, contentType, body, Map.copyOf(headers)));
        return this;
    }

    public FeedServer serve(String path, String contentType, String body) {
        return serve(path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public FeedServer fail(String path, int status) {
        resources.put(path, new Resource(status, "text/plain", ("error " + status).getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    /** Serves a site copied into test resources, with its origin rewritten to this server. */
    public FeedServer serveSite(String resourceDir, String origin, String... paths) {
        for (String path : paths) {
            String type = path.endsWith(".xml") ? "application/atom+xml; charset=utf-8" : "text/html; charset=utf-8";
            String resource = (path.endsWith("/") ? path + "index.html" : path).replaceFirst("^/", "");
            serve(path, type, resourceText(resourceDir + resource).replace(origin, base()));
        }
        return this;
    }

    /**
     * A feed at /feed.xml of one post, whose page at {@code page} waits until {@link #open(String)}:
     * an ingest of it stops there, holding its locks.
     */
    public FeedServer serveOneHeldPost(String page) {
        serve("/feed.xml", "application/rss+xml", """
                <rss version="2.0"><channel><title>T</title>
                <item><title>Slow</title><link>%s%s</link><description>teaser</description></item>
                </channel></rss>""".formatted(base(), page));
        serve(page, "text/html", "<html><body><article><p>"
                + "Words enough to count as an article body. ".repeat(20) + "</p></article></body></html>");
        return hold(page);
    }

    /** Requests for {@code path} wait until {@link #open(String)}. */
    public FeedServer hold(String path) {
        gates.put(path, new CountDownLatch(1));
        return this;
    }

    public void open(String path) {
        CountDownLatch gate = gates.remove(path);
        if (gate != null) {
            gate.countDown();
        }
    }

    public int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    public static String resourceText(String name) {
        try (InputStream in = FeedServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        CountDownLatch gate = gates.get(path);
        if (gate != null) {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Resource resource = resources.get(path);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (resource == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(resource.body())) + "\"";
            if (resource.status() == 200) {
                exchange.getResponseHeaders().set("ETag", etag);
                if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                    exchange.sendResponseHeaders(304, -1);
                    return;
                }
            }
            if (resource.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", resource.contentType());
            }
            resource.headers().forEach(exchange.getResponseHeaders()::set);
            exchange.sendResponseHeaders(resource.status(), resource.body().length);
            out.write(resource.body());
        }
    }

    @Override
    public void close() {
        gates.values().forEach(CountDownLatch::countDown);
        server.stop(0);
    }
}

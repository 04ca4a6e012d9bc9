package feedsearch.fetch;

import feedsearch.testing.RawHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What broken and hostile servers send, served for real on loopback. Time bounds are generous
 * (three times the timeout): they catch a fetch that never ends, not a slow one.
 */
class FetcherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final long CAP = 64 * 1024;
    private static final long BOUND_MILLIS = 3 * TIMEOUT.toMillis();
    /** The test servers are on loopback, as a feed there would be. */
    private static final Access LOOPBACK = new Access(false, true);

    private final Fetcher fetcher = new Fetcher(TIMEOUT, CAP, "feedsearch-test", false);
    private RawHttpServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        fetcher.close();
        if (server != null) {
            server.close();
        }
    }

    private FetchException refused(URI uri, Access access, Expect expect) {
        long start = System.nanoTime();
        FetchException e = assertThrows(FetchException.class, () -> fetcher.get(uri, access, expect));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println(millis + " ms: " + e.getMessage());
        assertTrue(millis < BOUND_MILLIS, "took " + millis + " ms: " + e.getMessage());
        return e;
    }

    private static void endless(OutputStream out) throws java.io.IOException {
        byte[] chunk = "<p>more</p>".repeat(1000).getBytes(StandardCharsets.US_ASCII);
        while (true) {
            out.write(chunk);
        }
    }

    @Test
    void headersThenSilenceEndsAtTheDeadline() {
        server = new RawHttpServer((path, out) -> {
            RawHttpServer.head(out, 200, "Content-Type: text/html", "Content-Length: 5000");
            Thread.sleep(60_000);
        });
        FetchException e = refused(server.uri("/post"), LOOPBACK, Expect.PAGE);
        assertTrue(e.getMessage().endsWith("/post: no complete answer within 2s"), e.getMessage());
    }

    @Test
    void aBodyDrippedSlowerThanTheDeadlineIsCutOff() {
        // Each byte arrives well within the read timeout; only a deadline on the whole exchange stops it.
        server = new RawHttpServer((path, out) -> {
            RawHttpServer.head(out, 200, "Content-Type: text/html");
            for (int i = 0; i < 600; i++) {
                out.write('x');
                out.flush();
                Thread.sleep(400);
            }
        });
        FetchException e = refused(server.uri("/drip"), LOOPBACK, Expect.PAGE);
        assertTrue(e.getMessage().endsWith("no complete answer within 2s"), e.getMessage());
    }

    @Test
    void anEndlessErrorPageIsClosedNotRead() {
        server = new RawHttpServer((path, out) -> {
            RawHttpServer.head(out, 404, "Content-Type: text/html");
            endless(out);
        });
        FetchException e = refused(server.uri("/gone"), LOOPBACK, Expect.PAGE);
        assertTrue(e.getMessage().endsWith("/gone: HTTP 404"), e.getMessage());
    }

    @Test
    void aDeclaredLengthOverTheCapIsRefusedOnTheHeader() throws Exception {
        server = new RawHttpServer((path, out) -> {
            RawHttpServer.head(out, 200, "Content-Type: text/html", "Content-Length: 1073741824");
            endless(out);
        });
        FetchException e = refused(server.uri("/huge"), LOOPBACK, Expect.PAGE);
        assertTrue(e.getMessage().endsWith("larger than the 64 KiB size cap (Content-Length 1073741824)"), e.getMessage());
        Thread.sleep(200);
        // Socket buffers take a few MB before the server notices the close; draining would take the whole GB.
        assertTrue(server.bytesSent() < 32L << 20, "server sent " + server.bytesSent() + " bytes");
    }

    @Test
    void anUndeclaredBodyOverTheCapAndAGzipBombAreCut() throws Exception {
        server = new RawHttpServer((path, out) -> {
            if (path.equals("/bomb")) {
                ByteArrayOutputStream zipped = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
                    gz.write(new byte[20 << 20]);
                }
                RawHttpServer.head(out, 200, "Content-Type: text/html", "Content-Encoding: gzip",
                        "Content-Length: " + zipped.size());
                out.write(zipped.toByteArray());
            } else {
                RawHttpServer.head(out, 200, "Content-Type: text/html");
                endless(out);
            }
        });
        assertTrue(refused(server.uri("/endless"), LOOPBACK, Expect.PAGE).getMessage().endsWith("larger than the 64 KiB size cap"));
        assertTrue(refused(server.uri("/bomb"), LOOPBACK, Expect.PAGE).getMessage().endsWith("larger than the 64 KiB size cap"));
    }

    @Test
    void redirectsAreFollowedWithinBoundsAndEachTargetIsChecked() throws Exception {
        server = new RawHttpServer((path, out) -> {
            switch (path) {
                case "/old" -> RawHttpServer.head(out, 301, "Location: /new");
                case "/new" -> {
                    RawHttpServer.head(out, 200, "Content-Type: text/html", "Content-Length: 5");
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                }
                case "/a" -> RawHttpServer.head(out, 302, "Location: /b");
                case "/b" -> RawHttpServer.head(out, 302, "Location: /a");
                case "/ftp" -> RawHttpServer.head(out, 302, "Location: ftp://127.0.0.1/feed.xml");
                case "/file" -> RawHttpServer.head(out, 302, "Location: file:///etc/passwd");
                case "/metadata" -> RawHttpServer.head(out, 302, "Location: http://169.254.169.254/latest/meta-data/");
                case "/metadata6" -> RawHttpServer.head(out, 307, "Location: http://[fd00:ec2::254]/latest/");
                case "/nowhere" -> RawHttpServer.head(out, 302);
                default -> {
                    int n = Integer.parseInt(path.substring(2));
                    RawHttpServer.head(out, 302, "Location: /r" + (n + 1));
                }
            }
        });
        FetchedResource moved = fetcher.get(server.uri("/old"), LOOPBACK, Expect.PAGE);
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), moved.body());
        assertEquals(server.uri("/new"), moved.uri());

        assertTrue(refused(server.uri("/a"), LOOPBACK, Expect.PAGE).getMessage()
                .endsWith("/a: redirect loop (" + server.uri("/a") + " again after 2 redirects)"));
        assertTrue(refused(server.uri("/ftp"), LOOPBACK, Expect.FEED).getMessage()
                .endsWith("/ftp: redirected to ftp://127.0.0.1/feed.xml, which is not http or https; not followed"));
        assertTrue(refused(server.uri("/file"), LOOPBACK, Expect.FEED).getMessage()
                .endsWith("redirected to file:///etc/passwd, which is not http or https; not followed"));
        assertTrue(refused(server.uri("/metadata"), LOOPBACK, Expect.PAGE).getMessage()
                .contains("/metadata (redirected to http://169.254.169.254/latest/meta-data/): refused: 169.254.169.254 is a link-local"));
        assertTrue(refused(server.uri("/metadata6"), LOOPBACK, Expect.PAGE).getMessage().contains("refused: [fd00:ec2:0:0:0:0:0:254]"));
        assertTrue(refused(server.uri("/r1"), LOOPBACK, Expect.PAGE).getMessage()
                .endsWith("/r1: more than 5 redirects (last to " + server.uri("/r7") + ")"));
        assertTrue(refused(server.uri("/nowhere"), LOOPBACK, Expect.PAGE).getMessage().endsWith("HTTP 302 redirect without a Location"));
    }

    @Test
    void aPublicFeedsLinksMayNotReachLoopbackNorLocalFiles() throws Exception {
        server = new RawHttpServer((path, out) -> RawHttpServer.head(out, 200, "Content-Length: 0"));
        Access publicFeed = new Access(false, false);
        assertTrue(refused(server.uri("/post"), publicFeed, Expect.PAGE).getMessage()
                .endsWith("/post: refused: 127.0.0.1 is a private or loopback address, and the feed came from a public one"
                        + " (--allow-private-links allows it)"));
        assertEquals(0, server.bytesSent(), "no request reached the server");

        assertTrue(refused(URI.create("file:///etc/passwd"), publicFeed, Expect.PAGE).getMessage()
                .equals("file:///etc/passwd: refused: a feed fetched over http(s) may not link to local files"));
        assertEquals(new Access(false, true), new Fetcher(TIMEOUT, CAP, "t", false).accessFor(server.uri("/feed.xml")),
                "a feed on loopback may link to loopback");
        assertEquals(new Access(false, false), new Fetcher(TIMEOUT, CAP, "t", false).accessFor(URI.create("http://203.0.113.7/feed")),
                "a feed on a public address may not");
        assertEquals(new Access(false, true), new Fetcher(TIMEOUT, CAP, "t", true).accessFor(URI.create("http://203.0.113.7/feed")));
        assertEquals(new Access(false, false), new Access(false, true).and(new Access(false, false)),
                "a feed named on the private network but served from a public address is trusted as public");
    }

    @Test
    void localFilesAreReadOnlyWhenRegularAndWithinTheCap() throws Exception {
        assertTrue(refused(URI.create("file:///dev/zero"), Access.LOCAL_FEED, Expect.PAGE).getMessage()
                .equals("/dev/zero: not a regular file"));
        Path big = dir.resolve("big.html");
        Files.write(big, new byte[(int) CAP + 1]);
        assertTrue(refused(big.toUri(), Access.LOCAL_FEED, Expect.PAGE).getMessage().endsWith("larger than the 64 KiB size cap"));
        Path fine = dir.resolve("fine.html");
        Files.writeString(fine, "<p>hi</p>");
        assertEquals("<p>hi</p>", new String(fetcher.get(fine.toUri(), Access.LOCAL_FEED, Expect.PAGE).body(), StandardCharsets.UTF_8));
        URI withFragment = URI.create(fine.toUri() + "#part");
        assertEquals("<p>hi</p>", new String(fetcher.get(withFragment, Access.LOCAL_FEED, Expect.PAGE).body(), StandardCharsets.UTF_8));
        assertEquals("file://elsewhere.example/etc/passwd: a file on another host (elsewhere.example) is not a local file",
                refused(URI.create("file://elsewhere.example/etc/passwd"), Access.LOCAL_FEED, Expect.PAGE).getMessage());
    }

    @Test
    void pagesThatAreNotHtmlAreRefusedOnTheirType() throws Exception {
        server = new RawHttpServer((path, out) -> {
            RawHttpServer.head(out, 200, "Content-Type: application/pdf", "Content-Length: 50000000");
            endless(out);
        });
        assertTrue(refused(server.uri("/paper.pdf"), LOOPBACK, Expect.PAGE).getMessage()
                .endsWith("/paper.pdf: got application/pdf, not an HTML page"));
    }

    @Test
    void unaskedEncodingsAndUnsendableValidatorsAreHandled() throws Exception {
        String[] ifNoneMatch = {null};
        server = new RawHttpServer((path, out) -> {
            if (path.equals("/br")) {
                RawHttpServer.head(out, 200, "Content-Type: text/html", "Content-Encoding: br", "Content-Length: 4");
                out.write(new byte[]{1, 2, 3, 4});
            } else {
                RawHttpServer.head(out, 200, "Content-Type: application/rss+xml", "Content-Length: 2");
                out.write("<a".getBytes(StandardCharsets.US_ASCII));
            }
        });
        assertTrue(refused(server.uri("/br"), LOOPBACK, Expect.PAGE).getMessage().endsWith("/br: sent in an encoding we did not ask for (br)"));
        // A validator a hostile server sent last time, which OkHttp would refuse to put in a header, is not sent back.
        FetchedResource feed = fetcher.get(server.uri("/feed"), LOOPBACK, Expect.FEED, "\"\u00e9t\u00e9\"", "Mon\n01 Jan");
        assertEquals(2, feed.body().length);
    }
}

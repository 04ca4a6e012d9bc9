package feedsearch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.CommandRun;
import feedsearch.testing.FeedServer;
import feedsearch.testing.RawHttpServer;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a hostile tester found, each case run through the command against a real loopback
 * server, on a store that already holds the sample's 12 posts, which must come out intact.
 */
class HostileFeedTest {
    private static final String ARTICLE = "<p>" + "A paragraph with enough words to be an article. ".repeat(20) + "</p>";

    @TempDir
    Path dir;

    private String store() {
        return dir.resolve("index").toString();
    }

    private CommandRun ingest(String... args) {
        long start = System.nanoTime();
        CommandRun run = CommandRun.inStore(new IngestCommand(), store(), args);
        System.out.printf("ingest %s -> exit %d in %d ms%n%s", String.join(" ", args), run.exitCode(),
                (System.nanoTime() - start) / 1_000_000, run.err());
        return run;
    }

    private int posts() throws Exception {
        CommandRun status = CommandRun.of(new IngestCommand(), "status", "--json", "--store-path", store());
        return new ObjectMapper().readTree(status.out()).get("posts").asInt();
    }

    private static String rss(String... items) {
        return "<rss version=\"2.0\"><channel><title>T</title>" + String.join("", items) + "</channel></rss>";
    }

    private static String item(String title, String link) {
        return "<item><title>" + title + "</title><link>" + link + "</link><description>teaser</description></item>";
    }

    private static void assertNoStackTrace(CommandRun run) {
        assertFalse(run.err().contains("\tat ") || run.err().contains("Exception"), run.toString());
    }

    @BeforeEach
    void sampleIsStored() throws Exception {
        assertEquals(0, ingest("--feed", SampleFeed.path().toString(), "--quiet").exitCode());
        assertEquals(12, posts());
    }

    @Test
    void aRemoteFeedCannotMakeIngestReadLocalFiles() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/feed.xml", "application/rss+xml", rss(
                    item("Passwords", "file:///etc/passwd"),
                    item("Environment", "file:///proc/self/environ"),
                    item("Zeros", "file:///dev/zero"),
                    item("Fine", server.base() + "/fine")));
            server.serve("/fine", "text/html", "<html><body><article>" + ARTICLE + "</article></body></html>");

            CommandRun run = ingest("--feed", server.base() + "/feed.xml");

            assertEquals(1, run.exitCode(), run.toString());
            for (String file : new String[]{"/etc/passwd", "/proc/self/environ", "/dev/zero"}) {
                assertTrue(run.err().contains("failed: file://" + file + ": refused: a feed fetched over http(s) may not link to local files"),
                        run.toString());
            }
            assertTrue(run.out().contains("1 added, 0 updated, 0 unchanged, 3 failed"), run.out());
            assertFalse((run.out() + run.err()).contains("root:x:0:0"), "no file content shown");
            assertNoStackTrace(run);
        }
        assertEquals(13, posts());
    }

    @Test
    void aLocalFeedMayLinkToLocalFilesButOnlyRegularOnesWithinTheCap() throws Exception {
        Path page = dir.resolve("post.html");
        Files.writeString(page, "<html><body><article>" + ARTICLE + "</article></body></html>");
        Path big = dir.resolve("big.html");
        Files.write(big, new byte[(1 << 20) + 1]);
        Path feed = dir.resolve("feed.xml");
        Files.writeString(feed, rss(item("Local", page.toUri().toString()), item("Zeros", "file:///dev/zero"),
                item("Big", big.toUri().toString())));

        long start = System.nanoTime();
        CommandRun run = ingest("--feed", feed.toString(), "--max-page-size", "1");
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("failed: /dev/zero: not a regular file"), run.toString());
        assertTrue(run.err().contains("failed: " + big + ": larger than the 1 MiB size cap"), run.toString());
        assertTrue(run.out().contains("1 added, 0 updated, 0 unchanged, 2 failed"), run.out());
        assertTrue(millis < 20_000, "took " + millis + " ms");
        assertEquals(13, posts());
    }

    @Test
    void slowAndSilentServersCannotHoldTheRun() throws Exception {
        try (FeedServer server = new FeedServer();
             RawHttpServer slow = new RawHttpServer((path, out) -> {
                 if (path.equals("/silent")) {
                     RawHttpServer.head(out, 200, "Content-Type: text/html");
                     Thread.sleep(60_000);
                 }
                 RawHttpServer.head(out, 200, "Content-Type: text/html");
                 for (int i = 0; i < 100; i++) {
                     out.write(' ');
                     out.flush();
                     Thread.sleep(2_000); // a byte every two seconds, each within the read timeout
                 }
             })) {
            server.serve("/feed.xml", "application/rss+xml", rss(
                    item("Silent", slow.uri("/silent").toString()),
                    item("Drip", slow.uri("/drip").toString()),
                    item("Fine", server.base() + "/fine")));
            server.serve("/fine", "text/html", "<html><body><article>" + ARTICLE + "</article></body></html>");

            long start = System.nanoTime();
            CommandRun run = ingest("--feed", server.base() + "/feed.xml", "--timeout", "3");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("failed: " + slow.uri("/silent") + ": no complete answer within 3s"), run.toString());
            assertTrue(run.err().contains("failed: " + slow.uri("/drip") + ": no complete answer within 3s"), run.toString());
            // Pages are fetched in parallel, so the two slow ones cost one timeout, not two; 3x is the bound.
            assertTrue(millis < 3 * 3_000 + 3_000, "took " + millis + " ms");
        }
        assertEquals(13, posts());
    }

    @Test
    void pdfsAndImagesAreListedFailuresNotIndexedText() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/feed.xml", "application/rss+xml", rss(item("Paper", server.base() + "/paper"),
                    item("Disguised", server.base() + "/disguised"), item("Photo", server.base() + "/photo")));
            server.serve("/paper", "application/pdf", "%PDF-1.4 binary stuff");
            server.serve("/disguised", "text/html", "%PDF-1.4\n" + ARTICLE);
            server.serve("/photo", "image/jpeg", new byte[]{(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0x00});

            CommandRun run = ingest("--feed", server.base() + "/feed.xml");

            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("failed: " + server.base() + "/paper: got application/pdf, not an HTML page"), run.err());
            assertTrue(run.err().contains("failed: " + server.base() + "/disguised: got a PDF document, not an HTML page"), run.err());
            assertTrue(run.err().contains("failed: " + server.base() + "/photo: got image/jpeg, not an HTML page"), run.err());
        }
        assertEquals(12, posts());
    }

    @Test
    void controlCharactersInATitleNeverReachTheTerminal() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/feed.xml", "application/rss+xml", rss(item("", server.base() + "/post")));
            server.serve("/post", "text/html", "<html><head><title>\u001b]0;pwned\u0007\u001b[2J Clean\ntitle</title></head><body><article>"
                    + ARTICLE + "</article></body></html>");

            CommandRun run = ingest("--feed", server.base() + "/feed.xml");

            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.err().contains("added        ]0;pwned[2J Clean title (" + server.base() + "/post"), run.err());
            assertFalse(run.err().contains("\u001b") || run.err().contains("\u0007"), "no control characters on stderr");
        }
    }

    @Test
    void aFailedFeedIsCountedAndWhatIsNotAFeedIsNamed() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/index.html", "text/html", "<!doctype html><html><body>My blog</body></html>");
            server.serve("/empty.xml", "application/rss+xml", "");

            CommandRun run = ingest("--feed", server.base() + "/index.html", "--feed", server.base() + "/empty.xml",
                    "--feed", SampleFeed.path().toString());

            assertEquals(1, run.exitCode(), run.toString());
            assertTrue(run.err().contains("failed: feed " + server.base() + "/index.html: got text/html, not a feed"), run.err());
            assertTrue(run.err().contains("failed: feed " + server.base() + "/empty.xml: the answer was empty, not a feed"), run.err());
            assertTrue(run.out().contains("ingest: 0 added, 0 updated, 12 unchanged, 0 failed; 2 feeds failed (see the failures above)"),
                    run.out());
        }
    }

    @Test
    void optionsBeforeASubcommandReachItOrAreRefused() throws Exception {
        Path other = dir.resolve("other");
        assertEquals(0, CommandRun.of(new IngestCommand(), "--store-path", other.toString(), "--feed",
                SampleFeed.path().toString(), "--quiet").exitCode());

        CommandRun status = CommandRun.of(new IngestCommand(), "--store-path", other.toString(), "status");
        assertTrue(status.out().startsWith("store:     local store " + other), status.toString());

        CommandRun wrong = CommandRun.of(new IngestCommand(), "--store-path", other.toString(), "--limit", "3", "status");
        assertEquals(2, wrong.exitCode(), wrong.toString());
        assertEquals("ingest status: --limit does not apply to 'ingest status' (see ingest status --help)", wrong.err().strip());

        CommandRun twice = CommandRun.of(new IngestCommand(), "--store-path", other.toString(), "status", "--store-path", store());
        assertEquals(2, twice.exitCode(), twice.toString());

        CommandRun drop = CommandRun.of(new IngestCommand(), "--store-path", other.toString(), "drop", "--yes");
        assertEquals(0, drop.exitCode(), drop.toString());
        assertFalse(Files.exists(other), "the store named before 'drop' is the one dropped");
        assertEquals(12, posts(), "the other store is untouched");
    }

    @Test
    void aLimitedRunKeepsNoValidatorsSoTheNextRunReadsEverything() throws Exception {
        try (FeedServer server = new FeedServer()) {
            String article = "<content:encoded><![CDATA[" + ARTICLE + "]]></content:encoded>";
            StringBuilder items = new StringBuilder();
            for (int i = 1; i <= 3; i++) {
                items.append("<item><title>Post ").append(i).append("</title><link>").append(server.base()).append("/p")
                        .append(i).append("</link>").append(article.replace("paragraph", "paragraph " + i)).append("</item>");
            }
            server.serve("/feed.xml", "application/rss+xml", "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
                    + "<channel><title>T</title>" + items + "</channel></rss>");

            CommandRun limited = ingest("--feed", server.base() + "/feed.xml", "--limit", "1");
            assertTrue(limited.out().contains("1 added"), limited.out());

            CommandRun full = ingest("--feed", server.base() + "/feed.xml");
            assertTrue(full.out().contains("2 added, 0 updated, 1 unchanged"), "not answered 304: " + full.out());

            CommandRun again = ingest("--feed", server.base() + "/feed.xml");
            assertTrue(again.out().contains("1 feed not modified"), "a complete run keeps its validators: " + again.out());
        }
        assertEquals(15, posts());
    }
}

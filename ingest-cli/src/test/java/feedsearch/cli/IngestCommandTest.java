package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.CommandRun;
import feedsearch.testing.FeedServer;
import feedsearch.testing.GeneratedFeed;
import feedsearch.testing.SampleFeed;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IngestCommandTest {
    @TempDir
    Path dir;

    private CommandRun ingest(String... args) {
        return CommandRun.inStore(new IngestCommand(), dir.resolve("index").toString(), args);
    }

    private static void assertOneLineError(CommandRun run, String expected) {
        assertTrue(run.err().contains(expected), run.toString());
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run);
    }

    @Test
    void helpHasExamplesAndExitCodes() {
        CommandRun help = CommandRun.of(new IngestCommand(), "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Examples:") && help.out().contains("ingest --feed samples/feed.xml"), help.out());
        assertTrue(help.out().contains("5  another ingest holds the index lock"), help.out());
        assertTrue(help.out().contains("--opml=FILE") && help.out().contains("ingest --opml subscriptions.opml"), help.out());

        CommandRun version = CommandRun.of(new IngestCommand(), "--version");
        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("ingest (feedsearch) 0."), version.out());
    }

    @Test
    void usageMistakesExitTwo() {
        assertOneLineError(ingest(), "no feed given");
        assertEquals(2, ingest().exitCode());
        assertEquals(2, ingest("--feed", "x.xml", "--bogus").exitCode());
        assertEquals(2, ingest("--feed", "ftp://x.example/feed").exitCode());
        assertEquals(2, ingest("--feed", "x.xml", "--since", "last tuesday").exitCode());
        assertEquals(2, ingest("--feed", "x.xml", "--selector", "div[").exitCode());
        assertEquals(2, CommandRun.of(new IngestCommand(), "drop").exitCode());
    }

    @Test
    void sampleFeedIngestsThenReportsUnchanged() throws Exception {
        CommandRun first = ingest("--feed", SampleFeed.path().toString());
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("ingest: 12 added, 0 updated, 0 unchanged, 0 failed"), first.out());
        assertTrue(first.err().contains("using local store " + dir.resolve("index")), first.err());

        CommandRun second = ingest("--feed", SampleFeed.path().toString(), "--json");
        assertEquals(0, second.exitCode(), second.toString());
        ObjectMapper json = new ObjectMapper();
        String[] lines = second.out().strip().split("\n");
        assertEquals(13, lines.length);
        for (int i = 0; i < 12; i++) {
            assertEquals("unchanged", json.readTree(lines[i]).get("status").asText());
        }
        JsonNode summary = json.readTree(lines[12]);
        assertEquals(12, summary.get("unchanged").asInt());
        assertEquals(0, summary.get("added").asInt());

        CommandRun status = CommandRun.of(new IngestCommand(), "status", "--json", "--store-path", dir.resolve("index").toString());
        JsonNode s = json.readTree(status.out());
        assertEquals(12, s.get("posts").asInt());
        assertEquals("all-minilm-l6-v2-q", s.get("model").asText());
        assertEquals(384, s.get("dimension").asInt());
    }

    @Test
    void badFeedsExitOneWithClearMessagesAndKeepStoredPosts() throws Exception {
        assertEquals(0, ingest("--feed", SampleFeed.path().toString(), "--quiet").exitCode());
        Path malformed = dir.resolve("broken.xml");
        Files.writeString(malformed, "<rss><channel><item><title>oops");

        CommandRun broken = ingest("--feed", malformed.toString());
        assertEquals(1, broken.exitCode(), broken.toString());
        assertOneLineError(broken, "failed: feed " + malformed.toUri() + ": not a valid RSS or Atom feed");
        assertFalse(broken.err().contains("0 entries"), "a feed not read has no count of entries: " + broken.err());

        CommandRun missing = ingest("--feed", dir.resolve("missing.xml").toString());
        assertEquals(1, missing.exitCode());
        assertOneLineError(missing, "file not found");

        FeedServer closed = new FeedServer();
        closed.close();
        CommandRun refused = ingest("--feed", closed.base() + "/feed.xml", "--timeout", "2");
        assertEquals(1, refused.exitCode());
        assertOneLineError(refused, "connection refused");

        CommandRun status = CommandRun.of(new IngestCommand(), "status", "--store-path", dir.resolve("index").toString());
        assertTrue(status.out().contains("posts:     12"), status.out());
    }

    @Test
    void deadPostPageIsListedAndExitsOne() {
        try (FeedServer server = new FeedServer()) {
            String article = "<p>" + "A paragraph with enough words to be an article. ".repeat(20) + "</p>";
            server.serve("/feed.xml", "application/rss+xml", """
                    <rss version="2.0"><channel><title>T</title>
                    <item><title>Alive</title><link>%1$s/alive</link><description>teaser</description></item>
                    <item><title>Dead</title><link>%1$s/dead</link><description>teaser</description></item>
                    <item><title>Blank</title><link>%1$s/blank</link><description>teaser</description></item>
                    </channel></rss>""".formatted(server.base()));
            server.serve("/alive", "text/html", "<html><body><article>" + article + "</article></body></html>");
            server.serve("/blank", "text/html", "<html><body><article></article></body></html>");

            CommandRun run = ingest("--feed", server.base() + "/feed.xml");

            assertEquals(1, run.exitCode(), run.toString());
            assertOneLineError(run, "failed: " + server.base() + "/dead: HTTP 404");
            assertOneLineError(run, "failed: " + server.base() + "/blank: no article text found");
            assertTrue(run.out().contains("1 added, 0 updated, 0 unchanged, 2 failed"), run.out());
        }
    }

    /** The next feeds are read while one is ingested: a server that does not answer holds up its own feed only. */
    @Test
    void aSilentFeedDoesNotHoldUpTheFeedsAfterIt() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/silent.xml", "application/rss+xml", Files.readAllBytes(GeneratedFeed.write(dir.resolve("a.xml"), 2, 150)));
            server.serve("/next.xml", "application/rss+xml", Files.readAllBytes(SampleFeed.path()));
            server.hold("/silent.xml");
            Path list = Files.writeString(dir.resolve("feeds.txt"), server.base() + "/silent.xml\n" + server.base() + "/next.xml\n");

            CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(() -> ingest("--feeds-file", list.toString(), "--json"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (server.hits("/next.xml") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            int nextAsked = server.hits("/next.xml");
            server.open("/silent.xml");
            CommandRun done = run.get(60, TimeUnit.SECONDS);

            assertEquals(1, nextAsked, "the second feed was asked for while the first one's server was silent");
            assertEquals(0, done.exitCode(), done.toString());
            // Reported in the list's order all the same.
            List<String> feedOfEachPost = done.out().lines().filter(l -> l.contains("\"type\":\"post\""))
                    .map(l -> l.contains("/silent.xml") ? "silent" : "next").toList();
            assertEquals(14, feedOfEachPost.size(), done.out());
            assertEquals(List.of("silent", "silent"), feedOfEachPost.subList(0, 2), done.out());
            assertTrue(done.out().contains("\"added\":14"), done.out());
        }
    }

    @Test
    void feedsFileListsFeedsAndSkipsCommentsAndBlankLines() throws Exception {
        Path list = dir.resolve("feeds.txt");
        Files.writeString(list, "# the sample\n\n" + SampleFeed.path() + "\n");

        CommandRun run = ingest("--feeds-file", list.toString(), "--json");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().strip().endsWith("}"), run.out());
        assertTrue(run.out().contains("\"added\":12"), run.out());
        assertEquals(2, ingest("--feeds-file", dir.resolve("missing.txt").toString()).exitCode());
        assertEquals(2, ingest("--feed", "a.xml", "--feed", "b.xml", "--tag", "one").exitCode());
    }

    /** A list with nothing in it says so; a file's odd name does not break the error onto two lines (the base command cleans every message). */
    @Test
    void emptyFeedListsAndOddFileNamesGiveOneLine() throws Exception {
        Path empty = Files.writeString(dir.resolve("feeds.txt"), "# nothing yet\n\n");
        CommandRun run = ingest("--feeds-file", empty.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertOneLineError(run, "lists no feed");

        Path odd = Files.write(dir.resolve("two\nlines\u001b[2J.txt"), new byte[] {(byte) 0xff});
        CommandRun named = ingest("--feeds-file", odd.toString());
        assertEquals(2, named.exitCode(), named.toString());
        assertOneLineError(named, "is not UTF-8 text");
        assertEquals(1, named.err().strip().lines().count(), named.err());
        assertFalse(named.err().contains("\u001b"), named.err());
    }

    @Test
    void opmlFeedsAreIngestedUnderTheirOutlineTitles() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/sample.xml", "application/rss+xml", Files.readAllBytes(SampleFeed.path()));
            server.serve("/generated.xml", "application/rss+xml",
                    Files.readAllBytes(GeneratedFeed.write(dir.resolve("generated.xml"), 3, 120)));
            Path opml = Files.writeString(dir.resolve("subscriptions.opml"),
                    FeedServer.resourceText("/opml/two-feeds.opml").replace("${base}", server.base()));

            CommandRun run = ingest("--opml", opml.toString(), "--json");

            assertEquals(0, run.exitCode(), run.toString());
            ObjectMapper json = new ObjectMapper();
            Map<String, Integer> postsPerFeed = new java.util.TreeMap<>();
            for (String line : run.out().strip().split("\n")) {
                JsonNode node = json.readTree(line);
                if (node.path("type").asText().equals("post")) {
                    assertEquals("added", node.get("status").asText(), line);
                    postsPerFeed.merge(node.get("feed").asText(), 1, Integer::sum);
                }
            }
            // The title where there is one, else the text; the sample, listed twice, is read once.
            assertEquals(Map.of("Sample blog", 12, "Generated notes", 3), postsPerFeed, run.out());
            assertEquals(1, server.hits("/sample.xml"));

            CommandRun status = CommandRun.of(new IngestCommand(), "status", "--json", "--store-path", dir.resolve("index").toString());
            JsonNode s = json.readTree(status.out());
            assertEquals(15, s.get("posts").asInt());
            List<String> feeds = new java.util.ArrayList<>();
            s.get("feeds").forEach(f -> feeds.add(f.get("feed").asText()));
            assertEquals(List.of("Generated notes", "Sample blog"), feeds.stream().sorted().toList(), status.out());
        }
    }

    @Test
    void badOpmlFilesExitTwoWithOneLine() throws Exception {
        Path missing = dir.resolve("missing.opml");
        CommandRun run = ingest("--opml", missing.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertOneLineError(run, "--opml " + missing + ": no such file");

        Path notXml = Files.writeString(dir.resolve("feeds.opml"), "https://example.org/feed.xml\n");
        assertOneLineError(ingest("--opml", notXml.toString()), "--opml " + notXml + ": not well-formed XML");
        Path noBody = Files.writeString(dir.resolve("nobody.opml"), "<opml version=\"2.0\"><head/></opml>");
        assertOneLineError(ingest("--opml", noBody.toString()), "not an OPML file: it has no <body>");
        Path noFeed = Files.writeString(dir.resolve("nofeed.opml"), "<opml><body><outline text=\"folder\"/></body></opml>");
        assertOneLineError(ingest("--opml", noFeed.toString()), "lists no feed");
        Path xxe = Files.writeString(dir.resolve("xxe.opml"), "<!DOCTYPE opml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<opml><body><outline text=\"&x;\" xmlUrl=\"https://example.org/feed\"/></body></opml>");
        CommandRun refused = ingest("--opml", xxe.toString());
        assertEquals(2, refused.exitCode(), refused.toString());
        assertOneLineError(refused, "refused: it declares a DOCTYPE");
        assertEquals(1, refused.err().strip().lines().count(), refused.err());

        Path two = Files.writeString(dir.resolve("two.opml"), "<opml><body><outline text=\"A\" xmlUrl=\"https://a.example/f\"/>"
                + "<outline text=\"B\" xmlUrl=\"https://b.example/f\"/></body></opml>");
        assertOneLineError(ingest("--opml", two.toString(), "--tag", "one"), "--tag names one feed, but 2 were given");
    }

    @Test
    void theConfigFileSuppliesDefaultsAndFlagsWin() throws Exception {
        Path config = dir.resolve("config.properties");
        Files.writeString(config, "# feedsearch defaults\nstore-path=" + dir.resolve("configured") + "\nindex=fromconfig\n");
        Map<String, String> env = Map.of("FEEDSEARCH_CONFIG", config.toString());

        IngestCommand ingest = new IngestCommand();
        ingest.env = env;
        CommandRun run = CommandRun.of(ingest, "--feed", SampleFeed.path().toString(), "--quiet");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(Files.isDirectory(dir.resolve("configured")), "the store went where the config file says");

        IngestCommand status = new IngestCommand();
        status.env = env;
        assertTrue(CommandRun.of(status, "status").out().contains("posts:     12"));

        IngestCommand flagged = new IngestCommand();
        flagged.env = env;
        CommandRun elsewhere = CommandRun.of(flagged, "status", "--store-path", dir.resolve("nowhere").toString());
        assertEquals(3, elsewhere.exitCode(), "a flag beats the config file: " + elsewhere);
    }

    @Test
    void dropNeedsYesAndRemovesTheStore() {
        assertEquals(0, ingest("--feed", SampleFeed.path().toString(), "--quiet").exitCode());
        String store = dir.resolve("index").toString();

        assertEquals(2, CommandRun.of(new IngestCommand(), "drop", "--store-path", store).exitCode());
        CommandRun drop = CommandRun.of(new IngestCommand(), "drop", "--yes", "--store-path", store);
        assertEquals(0, drop.exitCode(), drop.toString());
        assertFalse(Files.exists(dir.resolve("index")));
        assertEquals(3, CommandRun.of(new IngestCommand(), "status", "--store-path", store).exitCode());
    }

    /** An index name is a plain name: it becomes a directory under the data directory and Redis key patterns. */
    @Test
    void indexNamesAndPrefixesThatAreNotPlainNamesAreRefused() {
        for (String name : List.of("../..", "..", "a/b", "*", "posts?", "{x}", "", "-x")) {
            CommandRun run = CommandRun.of(new IngestCommand(), "--feed", SampleFeed.path().toString(), "--index", name);
            assertEquals(2, run.exitCode(), name + ": " + run);
            assertOneLineError(run, "--index must be a plain name");
        }
        for (String prefix : List.of("", "post*", "p{x}:", "a b", "posts:post:", "blog:feed:x")) {
            CommandRun run = ingest("--feed", SampleFeed.path().toString(), "--prefix", prefix);
            assertEquals(2, run.exitCode(), prefix + ": " + run);
            assertOneLineError(run, "--prefix");
        }
    }

    /** The local store lives in a directory of its own: it is not made among other files, and drop takes only its own. */
    @Test
    void theLocalStoreNeitherMovesInWithNorDropsOtherFiles() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve("notes.txt"), "precious");
        Files.writeString(home.resolve("_config.yml"), "not Lucene's, though it starts with _");
        CommandRun crowded = CommandRun.inStore(new IngestCommand(), home.toString(), "--feed", SampleFeed.path().toString());
        assertEquals(2, crowded.exitCode(), crowded.toString());
        assertOneLineError(crowded, "holds other files");
        assertEquals(List.of(home.resolve("_config.yml"), home.resolve("notes.txt")), list(home), "nothing written there");

        Path store = dir.resolve("store");
        assertEquals(0, CommandRun.inStore(new IngestCommand(), store.toString(), "--feed", SampleFeed.path().toString()).exitCode());
        Files.writeString(store.resolve("README.txt"), "put here by hand");
        CommandRun drop = CommandRun.of(new IngestCommand(), "drop", "--yes", "--store-path", store.toString());
        assertEquals(0, drop.exitCode(), drop.toString());
        assertEquals(List.of(store.resolve("README.txt")), list(store), "only the index's files went");

        Path alone = dir.resolve("alone");
        assertEquals(0, CommandRun.inStore(new IngestCommand(), alone.toString(), "--feed", SampleFeed.path().toString()).exitCode());
        assertEquals(0, CommandRun.of(new IngestCommand(), "drop", "--yes", "--store-path", alone.toString()).exitCode());
        assertFalse(Files.exists(alone), "a store's own directory goes with it");
    }

    /**
     * A store whose files were cut short or overwritten cannot be opened, and so could not be
     * dropped either: now drop deletes its index files all the same (and only those), unless an
     * ingest holds its lock.
     */
    @Test
    void aDamagedLocalStoreCanStillBeDropped() throws Exception {
        Path store = dir.resolve("damaged");
        assertEquals(0, CommandRun.inStore(new IngestCommand(), store.toString(), "--feed", SampleFeed.path().toString()).exitCode());
        Files.writeString(store.resolve("notes.txt"), "put here by hand");
        Path commit;
        try (var files = Files.list(store)) {
            commit = files.filter(f -> f.getFileName().toString().startsWith("segments_")).findFirst().orElseThrow();
        }
        Files.write(commit, Arrays.copyOf(Files.readAllBytes(commit), 20));

        CommandRun again = CommandRun.inStore(new IngestCommand(), store.toString(), "--feed", SampleFeed.path().toString());
        assertEquals(3, again.exitCode(), again.toString());
        assertOneLineError(again, "'ingest drop --yes' (same store options) deletes it");

        try (Directory directory = FSDirectory.open(store);
             Lock writing = directory.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
            CommandRun locked = CommandRun.of(new IngestCommand(), "drop", "--yes", "--store-path", store.toString());
            assertEquals(5, locked.exitCode(), locked.toString());
            assertTrue(Files.exists(commit), "nothing deleted under another's lock");
        }
        CommandRun drop = CommandRun.of(new IngestCommand(), "drop", "--yes", "--store-path", store.toString());
        assertEquals(0, drop.exitCode(), drop.toString());
        assertTrue(drop.out().contains("which could not be read"), drop.out());
        assertEquals(List.of(store.resolve("notes.txt")), list(store), "only the index's files went");
    }

    /** Files that only bear Lucene's names (a stray segments_1) do not make a directory a store that drop may empty. */
    @Test
    void aDirectoryThatOnlyLooksLikeAStoreIsNotDropped() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("segments_1"), "my own notes on market segments");
        Files.writeString(mine.resolve("_draft.txt"), "a draft");
        CommandRun drop = CommandRun.of(new IngestCommand(), "drop", "--yes", "--store-path", mine.toString());
        assertEquals(3, drop.exitCode(), drop.toString());
        assertFalse(drop.err().contains("deletes it"), drop.err());
        assertEquals(List.of(mine.resolve("_draft.txt"), mine.resolve("segments_1")), list(mine), "nothing deleted");
    }

    private static List<Path> list(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.sorted().toList();
        }
    }

    /** A feeds file is UTF-8 text: a BOM is not part of its first URL, and bytes that are not UTF-8 are a usage mistake. */
    @Test
    void feedsFilesAreUtf8Text() throws Exception {
        Path list = dir.resolve("feeds.txt");
        Files.writeString(list, "\uFEFF" + SampleFeed.path() + "\r\n# a comment\r\n");
        CommandRun run = ingest("--feeds-file", list.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("12 added"), run.out());

        Files.write(list, new byte[] {'h', 't', (byte) 0xff, 'p', '\n'});
        CommandRun latin = ingest("--feeds-file", list.toString());
        assertEquals(2, latin.exitCode(), latin.toString());
        assertOneLineError(latin, "is not UTF-8 text");
    }

    /** Lists of feeds are read up to a limit, not trusted to end: a device of endless zeros is refused, not read into memory. */
    @Test
    void endlessFeedListsAreRefused() {
        Path zeros = Path.of("/dev/zero");
        if (!Files.isReadable(zeros)) {
            return;
        }
        CommandRun list = ingest("--feeds-file", zeros.toString());
        assertEquals(2, list.exitCode(), list.toString());
        assertOneLineError(list, "larger than 20 MiB");
        CommandRun opml = ingest("--opml", zeros.toString());
        assertEquals(2, opml.exitCode(), opml.toString());
        assertOneLineError(opml, "larger than 20 MiB");
    }

    /** Entries whose links lead to one post (a fragment, a tracking parameter): the post is written once, and stays put. */
    @Test
    void entriesOfOnePostAreWrittenOnce() throws Exception {
        try (FeedServer server = new FeedServer()) {
            String page = "<html><body><article><p>" + "A post about bees and their hives. ".repeat(20) + "</p></article></body></html>";
            server.serve("/p/a", "text/html", page);
            StringBuilder items = new StringBuilder();
            for (String link : List.of("/p/a", "/p/a#comments", "/p/a?utm_source=feed")) {
                items.append("<item><title>Bees ").append(link).append("</title><link>").append(server.base()).append(link)
                        .append("</link><description>teaser</description></item>");
            }
            server.serve("/feed.xml", "application/rss+xml", "<rss version=\"2.0\"><channel><title>T</title>" + items + "</channel></rss>");

            CommandRun first = ingest("--feed", server.base() + "/feed.xml");
            assertEquals(0, first.exitCode(), first.toString());
            assertTrue(first.out().contains("1 added, 0 updated, 2 unchanged"), first.out());
            // --force: the feed is read again whole and the post rewritten, once, not once an entry.
            CommandRun again = ingest("--feed", server.base() + "/feed.xml", "--force");
            assertTrue(again.out().contains("0 added, 1 updated, 2 unchanged"), again.out());
            CommandRun status = CommandRun.of(new IngestCommand(), "status", "--store-path", dir.resolve("index").toString());
            assertTrue(status.out().contains("posts:     1"), status.out());
        }
    }
}

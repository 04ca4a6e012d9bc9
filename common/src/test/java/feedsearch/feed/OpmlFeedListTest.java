package feedsearch.feed;

import feedsearch.ingest.FeedRequest;
import feedsearch.testing.FeedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpmlFeedListTest {
    @TempDir
    Path dir;

    private static List<OpmlFeedList.Entry> parse(String xml) throws FeedListException {
        return OpmlFeedList.parse(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String refusal(String xml) {
        FeedListException e = assertThrows(FeedListException.class, () -> parse(xml));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void readsFeedsInFoldersThreeDeepWithTitlesElseTexts() throws Exception {
        List<OpmlFeedList.Entry> feeds = OpmlFeedList.parse(FeedServer.resourceText("/opml/subscriptions.opml")
                .getBytes(StandardCharsets.UTF_8));

        assertEquals(List.of(
                new OpmlFeedList.Entry(URI.create("https://top.example.org/feed.xml"), "Top level"),
                // three folders deep; the title wins over the text
                new OpmlFeedList.Entry(URI.create("https://inside.example.org/feed/"), "Inside Java (title)"),
                // no title: the text
                new OpmlFeedList.Entry(URI.create("https://text.example.org/atom.xml"), "Only a text"),
                new OpmlFeedList.Entry(URI.create("https://bread.example.org/rss"), "Bread"),
                // neither: no name, so the feed is recorded under its URL
                new OpmlFeedList.Entry(URI.create("https://untitled.example.org/feed"), null)),
                feeds, "folders, the empty folder and the link outline are no feeds; the second "
                        + "'Inside Java' is the same URL and comes once, under its first title");
    }

    @Test
    void everyVersionAndNoneIsRead() throws Exception {
        for (String version : List.of(" version=\"1.0\"", " version=\"1.1\"", " version=\"2.0\"", "")) {
            List<OpmlFeedList.Entry> feeds = parse("<opml" + version + "><head/><body><outline text=\"F\">"
                    + "<outline title=\"T\" text=\"X\" xmlUrl=\"http://a.example/f\"/></outline></body></opml>");
            assertEquals(List.of(new OpmlFeedList.Entry(URI.create("http://a.example/f"), "T")), feeds, version);
        }
    }

    @Test
    void titlesAreMadePrintable() throws Exception {
        List<OpmlFeedList.Entry> feeds = parse("<opml><body><outline title=\"  Two&#10;lines\u202e!  \" "
                + "xmlUrl=\"https://a.example/f\"/><outline title=\" \" text=\"\" xmlUrl=\"https://b.example/f\"/></body></opml>");
        assertEquals("Two lines!", feeds.get(0).title());
        assertEquals(null, feeds.get(1).title());
    }

    @Test
    void aListWithoutFeedsOrBodyOrOpmlIsRefused() {
        assertTrue(refusal("<opml version=\"1.0\"><head/><body><outline text=\"folder\"><outline text=\"x\"/></outline>"
                + "</body></opml>").contains("lists no feed"));
        assertTrue(refusal("<opml version=\"2.0\"><head><title>t</title></head></opml>").contains("no <body>"));
        assertTrue(refusal("<rss version=\"2.0\"><channel/></rss>").contains("root element is <rss>, not <opml>"));
        // XML 1.1 lets a control character through the parser; JDOM then refuses it unchecked.
        assertTrue(refusal("<?xml version=\"1.1\"?><opml version=\"2.0\"><head/><body>"
                + "<outline title=\"A&#x1b;[31m\" xmlUrl=\"http://example.org/feed.xml\"/></body></opml>").startsWith("not a valid OPML file"));
    }

    @Test
    void malformedXmlIsRefusedWithTheLine() {
        String message = refusal("<opml><body>\n<outline text=\"x\" xmlUrl=\"https://a.example/f\">\n</body></opml>");
        assertTrue(message.startsWith("not well-formed XML (line 3)"), message);
        assertTrue(refusal("").startsWith("not well-formed XML"));
        assertTrue(refusal("just some text").startsWith("not well-formed XML"));
    }

    @Test
    void onlyWebFeedsAreListed() {
        String message = refusal("<opml><body><outline title=\"Secrets\" xmlUrl=\"file:///etc/passwd\"/></body></opml>");
        assertEquals("the xmlUrl of an outline ('Secrets') is not an http(s) URL: file:///etc/passwd", message);
        assertTrue(refusal("<opml><body><outline xmlUrl=\"feeds/local.xml\"/></body></opml>").contains("not an http(s) URL"));
        assertTrue(refusal("<opml><body><outline xmlUrl=\"http://bad host/\"/></body></opml>").contains("not an http(s) URL"));
    }

    @Test
    void externalEntitiesAreRefusedAndNeverRead() throws Exception {
        Path secret = file("secret.txt", "TOP-SECRET-CONTENT");
        String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY s SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<opml version=\"1.0\"><body><outline text=\"&s;\" xmlUrl=\"https://a.example/f\"/></body></opml>";
        String message = refusal(xxe);
        assertTrue(message.startsWith("refused: it declares a DOCTYPE"), message);
        assertFalse(message.contains("TOP-SECRET"), message);

        try (FeedServer server = new FeedServer()) {
            server.serve("/evil.dtd", "application/xml-dtd", "<!ENTITY % p SYSTEM \"" + secret.toUri() + "\">");
            String external = "<?xml version=\"1.0\"?>\n<!DOCTYPE opml SYSTEM \"" + server.base() + "/evil.dtd\">\n"
                    + "<opml><body><outline text=\"x\" xmlUrl=\"https://a.example/f\"/></body></opml>";
            assertTrue(refusal(external).startsWith("refused: it declares a DOCTYPE"));
            String parameter = "<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY % d SYSTEM \"" + server.base()
                    + "/evil.dtd\"> %d;]>\n<opml><body><outline text=\"x\" xmlUrl=\"https://a.example/f\"/></body></opml>";
            assertTrue(refusal(parameter).startsWith("refused: it declares a DOCTYPE"));
            assertEquals(0, server.hits("/evil.dtd"), "the DTD is never fetched");
        }
    }

    @Test
    void billionLaughsIsRefusedAtOnce() {
        String laughs = FeedServer.resourceText("/opml/billion-laughs.opml");
        String message = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> refusal(laughs));
        assertTrue(message.startsWith("refused: it declares a DOCTYPE"), message);
    }

    @Test
    void deepNestingIsRefusedQuickly() throws Exception {
        String fine = "<opml><body>" + "<outline text=\"f\">".repeat(150) + "<outline xmlUrl=\"https://a.example/f\"/>"
                + "</outline>".repeat(150) + "</body></opml>";
        assertEquals(1, parse(fine).size());
        String deep = "<opml><body>" + "<outline text=\"f\">".repeat(1_000_000) + "<outline xmlUrl=\"https://a.example/f\"/>"
                + "</outline>".repeat(1_000_000) + "</body></opml>";
        String message = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> refusal(deep));
        assertEquals("not a valid OPML file: elements nested deeper than " + OpmlFeedList.MAX_DEPTH, message);
    }

    @Test
    void fileProblemsAreOneLine() throws Exception {
        assertEquals("no such file", assertThrows(FeedListException.class,
                () -> OpmlFeedList.read(dir.resolve("missing.opml"))).getMessage());
        assertEquals("is a directory, not an OPML file", assertThrows(FeedListException.class,
                () -> OpmlFeedList.read(dir)).getMessage());
        Path ok = file("ok.opml", "<opml><body><outline text=\"A\" xmlUrl=\"https://a.example/f\"/></body></opml>");
        assertEquals(1, OpmlFeedList.read(ok).size());
        // A byte order mark and a declared encoding are XML's to handle.
        Path latin = dir.resolve("latin.opml");
        Files.write(latin, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><opml><body><outline text=\"Caf\u00e9\" xmlUrl=\"https://a.example/f\"/></body></opml>"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals("Caf\u00e9", OpmlFeedList.read(latin).get(0).title());
    }

    @Test
    void duplicateUrlsAcrossSourcesAreReadOnceAndNamesStayApart() {
        URI a = URI.create("https://a.example/feed");
        URI b = URI.create("https://b.example/feed");
        URI c = URI.create("https://c.example/feed");
        List<String> warnings = new ArrayList<>();
        List<FeedRequest> distinct = FeedRequest.distinct(List.of(
                FeedRequest.of(a, null), FeedRequest.of(b, "Blog"), FeedRequest.of(a, "A again"), FeedRequest.of(c, "Blog")),
                warnings::add);
        assertEquals(List.of(new FeedRequest(a, a.toString()), new FeedRequest(b, "Blog"), new FeedRequest(c, c.toString())),
                distinct);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("'Blog' is already taken by " + b), warnings.get(0));
    }
}

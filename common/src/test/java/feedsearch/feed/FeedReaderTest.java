package feedsearch.feed;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.fetch.Fetcher;
import feedsearch.testing.FeedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedReaderTest {
    @TempDir
    Path dir;
    private final FeedServer server = new FeedServer();
    private final FeedReader reader = new FeedReader(new Fetcher(Duration.ofSeconds(5), 1 << 20, "feedsearch-test", false));

    @AfterEach
    void stop() {
        server.close();
    }

    private Feed readFile(String xml) throws Exception {
        Path file = dir.resolve("feed.xml");
        Files.writeString(file, xml);
        return reader.read(FeedReader.locate(file.toString()), null, null);
    }

    @Test
    void readsRss091WithItsDoctype() throws Exception {
        Feed feed = readFile("""
                <?xml version="1.0"?>
                <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
                <rss version="0.91"><channel><title>Old</title><link>https://old.example/</link><description>d</description>
                <item><title>First</title><link>https://old.example/1</link><description>Short</description></item>
                </channel></rss>""");
        assertEquals(1, feed.entries().size());
        assertEquals(URI.create("https://old.example/1"), feed.entries().get(0).link());
    }

    @Test
    void readsRss10Rdf() throws Exception {
        Feed feed = readFile("""
                <?xml version="1.0"?>
                <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                         xmlns:dc="http://purl.org/dc/elements/1.1/">
                  <channel rdf:about="https://rdf.example/"><title>RDF</title><link>https://rdf.example/</link><description>d</description></channel>
                  <item rdf:about="https://rdf.example/a"><title>A</title><link>https://rdf.example/a</link>
                    <description>About A</description><dc:date>2023-05-06T07:08:09Z</dc:date></item>
                </rdf:RDF>""");
        FeedEntry entry = feed.entries().get(0);
        assertEquals("A", entry.title());
        assertEquals(Instant.parse("2023-05-06T07:08:09Z"), entry.published());
    }

    @Test
    void readsRss20FullContentAndAtomSummaries() throws Exception {
        Feed rss = readFile("""
                <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>R</title>
                <item><title>T</title><link>https://r.example/t</link><pubDate>Mon, 08 Jan 2024 09:00:00 +0000</pubDate>
                <description>teaser</description><content:encoded><![CDATA[<p>whole text</p>]]></content:encoded></item>
                </channel></rss>""");
        assertEquals("teaser", rss.entries().get(0).summaryHtml());
        assertEquals("<p>whole text</p>", rss.entries().get(0).contentHtml());
        assertEquals(Instant.parse("2024-01-08T09:00:00Z"), rss.entries().get(0).published());

        Feed atom = readFile("""
                <feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
                <entry><title>E</title><id>tag:a.example,2024:e</id><link rel="alternate" href="https://a.example/e"/>
                <updated>2024-01-02T00:00:00Z</updated><summary type="html">&lt;p&gt;sum&lt;/p&gt;</summary></entry></feed>""");
        FeedEntry e = atom.entries().get(0);
        assertEquals(URI.create("https://a.example/e"), e.link());
        assertEquals("<p>sum</p>", e.summaryHtml());
        assertEquals("", e.contentHtml());
    }

    @Test
    void relativeLinksResolveAgainstTheFeedUrl() throws Exception {
        server.serve("/blog/feed.xml", "application/rss+xml", """
                <rss version="2.0"><channel><title>R</title>
                <item><title>T</title><link>/blog/posts/t.html</link><description>x</description></item></channel></rss>""");
        Feed feed = reader.read(server.uri("/blog/feed.xml"), null, null);
        assertEquals(server.uri("/blog/posts/t.html"), feed.entries().get(0).link());
    }

    @Test
    void atomXmlBaseOnFeedAndEntriesIsHonouredNested() throws Exception {
        server.serve("/feeds/atom.xml", "application/atom+xml", """
                <feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><title>A</title><id>urn:a</id>
                <updated>2024-01-01T00:00:00Z</updated>
                <entry xml:base="2024/"><title>One</title><id>urn:1</id><updated>2024-01-01T00:00:00Z</updated>
                  <link href="one.html"/></entry>
                <entry><title>Two</title><id>urn:2</id><updated>2024-01-01T00:00:00Z</updated><link href="../two.html"/></entry>
                <entry xml:base="http://elsewhere.example/x/"><title>Three</title><id>urn:3</id>
                  <updated>2024-01-01T00:00:00Z</updated><link href="three.html"/></entry>
                </feed>""");
        List<FeedEntry> entries = reader.read(server.uri("/feeds/atom.xml"), null, null).entries();
        assertEquals(server.uri("/blog/2024/one.html"), entries.get(0).link());
        assertEquals(server.uri("/two.html"), entries.get(1).link());
        assertEquals(URI.create("http://elsewhere.example/x/three.html"), entries.get(2).link());
    }

    @Test
    void windows1252BytesInAFeedLabelledUtf8KeepTheirQuotes() throws Exception {
        byte[] cp1252 = "It\u2019s \u201cquoted\u201d \u2013 caf\u00e9".getBytes(Charset.forName("windows-1252"));
        byte[] utf8 = "na\u00efve \u2014 ".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream xml = new ByteArrayOutputStream();
        xml.writeBytes("""
                <?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>R</title>
                <item><title>""".getBytes(StandardCharsets.UTF_8));
        xml.writeBytes(utf8);
        xml.writeBytes(cp1252);
        xml.writeBytes("</title><link>/p</link><description>d</description></item></channel></rss>".getBytes(StandardCharsets.UTF_8));
        server.serve("/mixed.xml", "application/rss+xml; charset=utf-8", xml.toByteArray());

        String title = reader.read(server.uri("/mixed.xml"), null, null).entries().get(0).title();
        assertEquals("na\u00efve \u2014 It\u2019s \u201cquoted\u201d \u2013 caf\u00e9", title);

        server.serve("/latin1.xml", "text/xml; charset=ISO-8859-1", xml.toByteArray());
        assertTrue(reader.read(server.uri("/latin1.xml"), null, null).entries().get(0).title().endsWith("It\u2019s \u201cquoted\u201d \u2013 caf\u00e9"),
                "a Latin-1 label means Windows-1252, as in browsers");
    }

    @Test
    void titlesAreOneLineOfPrintableText() throws Exception {
        // XML refuses ESC and most other control characters; line breaks, tabs and bidi overrides it lets through.
        Feed feed = readFile("""
                <rss version="2.0"><channel><title>R</title>
                <item><title>Evil	title
                  on two lines &#x202e;reversed&#x85;</title><link>https://x.example/1</link></item>
                <item><title>%s</title><link>https://x.example/2</link></item>
                </channel></rss>""".formatted("long ".repeat(20_000)));
        assertEquals("Evil title on two lines reversed", feed.entries().get(0).title());
        assertEquals(FeedReader.MAX_TITLE_CHARS, feed.entries().get(1).title().length());
    }

    @Test
    void whatIsNotAFeedIsNamed() {
        server.serve("/page", "text/html; charset=utf-8", "<!DOCTYPE html><html><body>Welcome</body></html>");
        server.serve("/empty", "application/rss+xml", "");
        server.serve("/logo", "image/png", new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0});
        server.serve("/json", "application/json", "{\"items\": []}");

        FeedException html = assertThrows(FeedException.class, () -> reader.read(server.uri("/page"), null, null));
        assertEquals("feed " + server.uri("/page") + ": got text/html, not a feed (give the feed's own URL, "
                + "often linked from the page as RSS or Atom)", html.getMessage());
        FeedException empty = assertThrows(FeedException.class, () -> reader.read(server.uri("/empty"), null, null));
        assertEquals("feed " + server.uri("/empty") + ": the answer was empty, not a feed", empty.getMessage());
        FeedException png = assertThrows(FeedException.class, () -> reader.read(server.uri("/logo"), null, null));
        assertEquals("feed " + server.uri("/logo") + ": got a PNG image, not a feed", png.getMessage());
        FeedException json = assertThrows(FeedException.class, () -> reader.read(server.uri("/json"), null, null));
        assertEquals("feed " + server.uri("/json") + ": got application/json, not a feed", json.getMessage());
    }

    @Test
    void anOpmlFeedListIsNamedNotReadAsAFeed() throws Exception {
        for (String version : List.of("1.0", "1.1", "2.0")) {
            Path file = dir.resolve("subscriptions.opml");
            Files.writeString(file, "<?xml version=\"1.0\"?>\n<!-- exported -->\n<opml version=\"" + version + "\"><head/><body>"
                    + "<outline text=\"A\" xmlUrl=\"https://a.example/feed\"/></body></opml>");
            FeedException e = assertThrows(FeedException.class, () -> reader.read(FeedReader.locate(file.toString()), null, null));
            assertEquals("feed " + file.toUri() + ": an OPML feed list, not a feed (read it with ingest --opml)", e.getMessage(),
                    version);
        }
    }

    @Test
    void externalEntitiesAreNeverResolved() throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        String xml = """
                <?xml version="1.0"?>
                <!DOCTYPE rss [<!ENTITY xxe SYSTEM "%s">]>
                <rss version="2.0"><channel><title>x</title>
                <item><title>T &xxe;</title><link>https://x.example/1</link><description>d &xxe;</description></item>
                </channel></rss>""".formatted(secret.toUri());
        try {
            Feed feed = readFile(xml);
            assertFalse(feed.entries().get(0).title().contains("TOP-SECRET"));
            assertFalse(feed.entries().get(0).summaryHtml().contains("TOP-SECRET"));
        } catch (FeedException rejected) {
            assertFalse(rejected.getMessage().contains("TOP-SECRET"));
        }
    }

    @Test
    void malformedAndMissingFeedsGiveOneLineReasons() {
        FeedException malformed = assertThrows(FeedException.class, () -> readFile("<rss><channel><item>"));
        assertTrue(malformed.getMessage().contains("not a valid RSS or Atom feed"), malformed.getMessage());
        assertFalse(malformed.getMessage().contains("\n"));

        FeedException html = assertThrows(FeedException.class, () -> readFile("<html><body>not a feed</body></html>"));
        assertTrue(html.getMessage().endsWith("got an HTML page, not a feed (give the feed's own URL, often linked from the page as RSS or Atom)"), html.getMessage());

        FeedException missing = assertThrows(FeedException.class,
                () -> reader.read(dir.resolve("nope.xml").toUri(), null, null));
        assertTrue(missing.getMessage().contains("file not found"), missing.getMessage());

        FeedException notFound = assertThrows(FeedException.class, () -> reader.read(server.uri("/gone.xml"), null, null));
        assertTrue(notFound.getMessage().contains("HTTP 404"), notFound.getMessage());
    }

    @Test
    void conditionalGetReturnsNotModified() throws Exception {
        server.serve("/f.xml", "application/rss+xml", "<rss version=\"2.0\"><channel><title>R</title></channel></rss>");
        Feed first = reader.read(server.uri("/f.xml"), null, null);
        Feed second = reader.read(server.uri("/f.xml"), first.etag(), first.lastModified());

        assertFalse(first.notModified());
        assertTrue(second.notModified());
    }

    /** A 304 to a request that sent no validators compares nothing: it is a broken answer, not "not modified". */
    @Test
    void notModifiedWithoutValidatorsIsAFailure() {
        server.fail("/f.xml", 304);
        FeedException broken = assertThrows(FeedException.class, () -> reader.read(server.uri("/f.xml"), null, null));
        assertTrue(broken.getMessage().contains("answered 304 Not Modified to a request that sent no validators"), broken.getMessage());
    }

    @Test
    void locateAcceptsUrlsAndPathsAndRejectsOtherSchemes() throws IOException {
        assertEquals(URI.create("https://x.example/feed"), FeedReader.locate("https://x.example/feed"));
        assertEquals("file", FeedReader.locate("samples/feed.xml").getScheme());
        FeedsearchException ftp = assertThrows(FeedsearchException.class, () -> FeedReader.locate("ftp://x.example/feed"));
        assertEquals(ExitCode.USAGE, ftp.exitCode());
    }
}

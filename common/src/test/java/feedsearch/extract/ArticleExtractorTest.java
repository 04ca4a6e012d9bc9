package feedsearch.extract;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.feed.FeedEntry;
import feedsearch.fetch.Access;
import feedsearch.fetch.Fetcher;
import feedsearch.testing.FeedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArticleExtractorTest {
    private static final String ARTICLE = "Plenty of words about a subject worth reading. ".repeat(20);
    private final FeedServer server = new FeedServer();
    /** The test server is on loopback, as a feed there would be: its links may stay there. */
    private static final Access LOOPBACK = new Access(false, true);
    private final Fetcher http = new Fetcher(Duration.ofSeconds(5), 64 * 1024, "feedsearch-test", false);

    @AfterEach
    void stop() {
        server.close();
    }

    private Article extract(String html, String selector) throws ExtractException {
        server.serve("/post", "text/html; charset=utf-8", html);
        return new ArticleExtractor(http, selector).extract(entry("", ""), LOOPBACK);
    }

    private FeedEntry entry(String summary, String content) {
        return new FeedEntry(server.uri("/post"), "A post", null, summary, content);
    }

    @Test
    void fullFeedContentIsUsedWithoutFetchingThePage() throws Exception {
        Article article = new ArticleExtractor(http, null).extract(entry("teaser", "<p>" + ARTICLE + "</p>"), LOOPBACK);

        assertEquals(Article.Source.FEED_CONTENT, article.source());
        assertEquals(ARTICLE.strip(), article.text());
        assertEquals(0, server.hits("/post"));
    }

    /** Chinese and Japanese have no spaces between words: a full post in either is still a full post. */
    @Test
    void fullContentWithoutSpacesIsUsedToo() throws Exception {
        String chinese = "今天我们学习如何在一个下午为团队搭建聊天机器人，它可以回答常见的问题。".repeat(10);
        String japanese = "チームのためのチャットボットを午後に作る方法を学びます。".repeat(10);
        for (String text : new String[] {chinese, japanese}) {
            Article article = new ArticleExtractor(http, null).extract(entry("", "<p>" + text + "</p>"), LOOPBACK);
            assertEquals(Article.Source.FEED_CONTENT, article.source(), text.substring(0, 10));
        }
        assertEquals(0, server.hits("/post"));
        // What follows an ideograph directly, punctuation or a Latin name, is part of it; spaces still separate words.
        assertEquals(4, HtmlText.words("使用Java，好 ok"));
        assertEquals(3, HtmlText.words("  plenty\u00a0of\twords\n"));
    }

    /** A page of characters nobody sees is a page without text, not a passage to embed. */
    @Test
    void invisibleTextIsNoText() {
        assertEquals(0, HtmlText.words("\u200b\u200c\u200d\u2060\ufeff \u0007"));
        assertEquals(2, HtmlText.words("zero\u200bwidth joins"));
        assertEquals(0, HtmlText.words("\u0301\u0301 \ufffd \ue000"));
        assertEquals(1, HtmlText.words("caf\u0065\u0301"));
        ExtractException e = assertThrows(ExtractException.class,
                () -> extract("<html><body><article><p>" + "\u200b\u2060 ".repeat(500) + "</p></article></body></html>", null));
        assertTrue(e.getMessage().endsWith("no article text found"), e.getMessage());
        ExtractException marks = assertThrows(ExtractException.class,
                () -> extract("<html><body><article><p>" + "\u0301\ufffd".repeat(3000) + "</p></article></body></html>", null));
        assertTrue(marks.getMessage().endsWith("no article text found"), marks.getMessage());
    }

    @Test
    void teaserContentSendsUsToThePage() throws Exception {
        server.serve("/post", "text/html", "<html><body><article><p>" + ARTICLE + "</p></article></body></html>");
        String teaser = "<p>" + "Some words. ".repeat(150) + "Continue reading &rarr;</p>";

        Article article = new ArticleExtractor(http, null).extract(entry("", teaser), LOOPBACK);

        assertEquals(Article.Source.PAGE, article.source());
        assertEquals(1, server.hits("/post"));
    }

    @Test
    void commonContainerWinsOverNavigationAndScripts() throws Exception {
        Article article = extract("""
                <html><head><title>T</title><style>body { color: red }</style></head><body>
                <nav>Home About Archive</nav>
                <div class="entry-content"><h2>Heading</h2><p>%s</p><script>alert('x')</script><p>Second paragraph here.</p></div>
                <footer>Copyright</footer></body></html>""".formatted(ARTICLE), null);

        assertTrue(article.text().startsWith("Heading\n\nPlenty of words"), article.text());
        assertTrue(article.text().endsWith("Second paragraph here."), article.text());
        assertFalse(article.text().contains("alert"));
        assertFalse(article.text().contains("Home About"));
        assertFalse(article.text().contains("color: red"));
    }

    @Test
    void withoutAContainerTheLargestTextBlockIsTaken() throws Exception {
        Article article = extract("""
                <html><body><div id="side"><p>Links and a short bio.</p></div>
                <div id="story"><p>%s</p><p>More of the story.</p></div></body></html>""".formatted(ARTICLE), null);

        assertTrue(article.text().startsWith("Plenty of words"), article.text());
        assertFalse(article.text().contains("short bio"));
    }

    @Test
    void selectorPicksTheBodyAndAMissOrBadSelectorIsAClearError() throws Exception {
        String html = "<html><body><div class='a'><p>Not this.</p></div><div class='b'><p>" + ARTICLE + "</p></div></body></html>";
        assertTrue(extract(html, "div.b").text().startsWith("Plenty"));

        ExtractException miss = assertThrows(ExtractException.class, () -> extract(html, "div.missing"));
        assertTrue(miss.getMessage().contains("selector 'div.missing' matched nothing"), miss.getMessage());

        FeedsearchException bad = assertThrows(FeedsearchException.class, () -> new ArticleExtractor(http, "div["));
        assertEquals(ExitCode.USAGE, bad.exitCode());
    }

    @Test
    void declaredAndMetaCharsetsAreHonoured() throws Exception {
        String text = "Crème brûlée à la façon de grand-mère. " + ARTICLE;
        server.serve("/post", "text/html; charset=ISO-8859-1",
                ("<html><body><article><p>" + text + "</p></article></body></html>").getBytes(StandardCharsets.ISO_8859_1));
        Article latin1 = new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK);
        assertTrue(latin1.text().startsWith("Crème brûlée à la façon"), latin1.text());

        server.serve("/post", "text/html",
                ("<html><head><meta charset=\"windows-1252\"></head><body><article><p>" + text + "</p></article></body></html>")
                        .getBytes(java.nio.charset.Charset.forName("windows-1252")));
        Article cp1252 = new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK);
        assertTrue(cp1252.text().startsWith("Crème brûlée"), cp1252.text());
    }

    @Test
    void brokenBytesBecomeReplacementCharactersNotFailures() throws Exception {
        byte[] page = ("<html><body><article><p>" + ARTICLE + "</p><p>bad \u0000</p></article></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        page[page.length - 30] = (byte) 0xC3; // a lone UTF-8 lead byte
        server.serve("/post", "text/html; charset=utf-8", page);

        Article article = new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK);

        assertTrue(article.text().startsWith("Plenty"));
    }

    @Test
    void pagesThatAreNotHtmlAreFailuresNotText() {
        byte[] pdf = ("%PDF-1.7\n" + ARTICLE).getBytes(StandardCharsets.ISO_8859_1);
        server.serve("/post", "text/html", pdf);
        ExtractException sniffed = assertThrows(ExtractException.class,
                () -> new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK));
        assertEquals(server.uri("/post") + ": got a PDF document, not an HTML page", sniffed.getMessage());

        server.serve("/post", "image/png", new byte[]{(byte) 0x89, 'P', 'N', 'G'});
        ExtractException typed = assertThrows(ExtractException.class,
                () -> new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK));
        assertEquals(server.uri("/post") + ": got image/png, not an HTML page", typed.getMessage());

        server.serve("/post", "text/html", new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 'x'});
        ExtractException gzip = assertThrows(ExtractException.class,
                () -> new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK));
        assertEquals(server.uri("/post") + ": got gzip data, not an HTML page", gzip.getMessage());

        byte[] binary = ARTICLE.getBytes(StandardCharsets.US_ASCII);
        binary[10] = 0;
        server.serve("/post", "application/octet-stream", binary);
        ExtractException untyped = assertThrows(ExtractException.class,
                () -> new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK));
        assertEquals(server.uri("/post") + ": got binary data, not an HTML page", untyped.getMessage());
    }

    @Test
    void aPageTitleIsOnePrintableLine() throws Exception {
        server.serve("/post", "text/html", "<html><head><title>\u001b]0;owned\u0007 Bot\nguide " + "x".repeat(100_000)
                + "</title></head><body><article><p>" + ARTICLE + "</p></article></body></html>");
        Article article = new ArticleExtractor(new Fetcher(Duration.ofSeconds(5), 1 << 20, "t", false), null)
                .extract(new FeedEntry(server.uri("/post"), "", null, "", ""), LOOPBACK);
        assertTrue(article.title().startsWith("]0;owned Bot guide xxx"), article.title());
        assertEquals(300, article.title().length());
    }

    @Test
    void windows1252BytesInAPageLabelledUtf8KeepTheirQuotes() throws Exception {
        byte[] quote = "It\u2019s \u201cfine\u201d. ".getBytes(Charset.forName("windows-1252"));
        java.io.ByteArrayOutputStream page = new java.io.ByteArrayOutputStream();
        page.writeBytes("<html><head><meta charset=utf-8></head><body><article><p>".getBytes(StandardCharsets.UTF_8));
        page.writeBytes(quote);
        page.writeBytes(("Caf\u00e9 " + ARTICLE + "</p></article></body></html>").getBytes(StandardCharsets.UTF_8));
        server.serve("/post", "text/html", page.toByteArray());

        Article article = new ArticleExtractor(http, null).extract(entry("", ""), LOOPBACK);
        assertTrue(article.text().startsWith("It\u2019s \u201cfine\u201d. Caf\u00e9 Plenty"), article.text());
    }

    @Test
    void missingHugeAndEmptyPagesAreOneLineFailures() {
        ExtractException missing = assertThrows(ExtractException.class,
                () -> new ArticleExtractor(http, null).extract(new FeedEntry(server.uri("/gone"), "t", null, "", ""), LOOPBACK));
        assertTrue(missing.getMessage().endsWith("/gone: HTTP 404"), missing.getMessage());

        ExtractException huge = assertThrows(ExtractException.class,
                () -> extract("<html><body><p>" + "x".repeat(100_000) + "</p></body></html>", null));
        assertTrue(huge.getMessage().contains("size cap"), huge.getMessage());

        ExtractException empty = assertThrows(ExtractException.class, () -> extract("<html><body></body></html>", null));
        assertTrue(empty.getMessage().contains("no article text found"), empty.getMessage());
    }
}

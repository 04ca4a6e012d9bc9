package feedsearch.ingest;

import feedsearch.extract.ArticleExtractor;
import feedsearch.feed.FeedReader;
import feedsearch.feed.PostId;
import feedsearch.http.HttpFetcher;
import feedsearch.store.LocalStore;
import feedsearch.store.PostRecord;
import feedsearch.store.StoreStatus;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.FeedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole ingest path over real HTTP: a summary-only Atom feed (a real blog's, trimmed to three
 * posts) whose posts must each be fetched and extracted from their pages.
 */
class IngestPipelineTest {
    private static final String SITE = "/sites/jakevdp/";
    private static final String ORIGIN = "http://jakevdp.github.io";
    private static final String FEED = "/feeds/all.atom.xml";
    private static final String BOB = "/blog/2012/09/12/dynamic-programming-in-python/";
    private static final String WHY = "/blog/2012/09/20/why-python-is-the-last/";
    private static final String FRIED = "/blog/2014/09/02/on-frequentism-and-fried-chicken/";

    private static final CountingEmbedder EMBEDDER = new CountingEmbedder();

    @TempDir
    Path dir;
    private FeedServer server;
    private LocalStore store;

    @BeforeEach
    void start() {
        server = new FeedServer().serveSite(SITE, ORIGIN, FEED, BOB, WHY, FRIED);
        store = LocalStore.openForWriting(dir.resolve("index"));
        EMBEDDER.reset();
    }

    @AfterEach
    void stop() {
        store.close();
        server.close();
    }

    private IngestReport ingest(String feedPath, IngestOptions options) {
        HttpFetcher http = new HttpFetcher(Duration.ofSeconds(5), 10L << 20, "feedsearch-test");
        Ingester ingester = new Ingester(store, EMBEDDER, new FeedReader(http), new ArticleExtractor(http, null, 10L << 20),
                IngestListener.NONE, Clock.systemUTC());
        return ingester.run(List.of(FeedRequest.of(server.uri(feedPath), "jakevdp")), options);
    }

    private IngestReport ingest() {
        return ingest(FEED, IngestOptions.DEFAULTS);
    }

    private PostRecord post(String path) {
        return store.post(PostId.of(server.uri(path)).value()).orElseThrow();
    }

    @Test
    void summaryOnlyFeedIsIngestedFromThePostPages() {
        IngestReport report = ingest();

        assertEquals(3, report.count(PostStatus.ADDED), report.toString());
        assertFalse(report.hasFailures());
        assertEquals(1, server.hits(BOB));
        assertEquals(1, server.hits(WHY));
        assertEquals(1, server.hits(FRIED));
        StoreStatus status = store.status();
        assertEquals(3, status.posts());
        // Whole articles, not the feed's summaries: each page is thousands of words, many passages.
        assertTrue(post(BOB).chunks() > 5, "chunks of " + post(BOB));
        assertEquals(post(BOB).chunks() + post(WHY).chunks() + post(FRIED).chunks(), status.passages());
        assertEquals(status.passages(), EMBEDDER.texts());
        assertEquals("Why Python is the Last Language You'll Have To Learn", post(WHY).title());
    }

    @Test
    void secondRunOnTheSameFeedEmbedsNothingAndKeepsTheCounts() {
        ingest();
        StoreStatus before = store.status();
        EMBEDDER.reset();

        // Unchanged feed: the server answers the conditional GET with 304, and that is all.
        IngestReport conditional = ingest();
        assertEquals(FeedOutcome.Status.NOT_MODIFIED, conditional.feeds().get(0).status());
        assertEquals(1, server.hits(BOB), "no page fetched again");

        // Feed read in full: every post is fetched, found unchanged, and not embedded.
        forgetValidators();
        IngestReport reread = ingest();
        assertEquals(3, reread.count(PostStatus.UNCHANGED), reread.toString());

        assertEquals(0, EMBEDDER.calls());
        StoreStatus after = store.status();
        assertEquals(before.posts(), after.posts());
        assertEquals(before.passages(), after.passages());
    }

    @Test
    void forceReembedsUnchangedPosts() {
        ingest();
        long passages = store.status().passages();
        EMBEDDER.reset();

        IngestReport forced = ingest(FEED, new IngestOptions(0, null, true, false, 4));

        assertEquals(3, forced.count(PostStatus.UPDATED), forced.toString());
        assertEquals(passages, EMBEDDER.texts());
        assertEquals(passages, store.status().passages());
    }

    @Test
    void anEditedPostIsReplacedWithoutLeftoverPassages() {
        ingest();
        int oldChunks = post(WHY).chunks();
        long oldPassages = store.status().passages();
        String shorter = "<html><body><article><h1>Why Python</h1><p>" + "Python is a language for science. ".repeat(60)
                + "</p></article></body></html>";
        server.serve(WHY, "text/html; charset=utf-8", shorter);
        forgetValidators();
        EMBEDDER.reset();

        IngestReport report = ingest();

        assertEquals(1, report.count(PostStatus.UPDATED), report.toString());
        assertEquals(2, report.count(PostStatus.UNCHANGED));
        int newChunks = post(WHY).chunks();
        assertTrue(newChunks < oldChunks, newChunks + " < " + oldChunks);
        assertEquals(newChunks, EMBEDDER.texts(), "only the edited post is embedded");
        assertEquals(oldPassages - oldChunks + newChunks, store.status().passages());
        assertEquals(3, store.status().posts());
    }

    @Test
    void aMissingPageIsOneFailureAndStoredPostsStayIntact() {
        ingest();
        long passages = store.status().passages();
        server.fail(FRIED, 404);
        forgetValidators();

        IngestReport report = ingest();

        assertTrue(report.hasFailures());
        PostOutcome failed = report.feeds().get(0).posts().stream()
                .filter(p -> p.status() == PostStatus.FAILED).findFirst().orElseThrow();
        assertTrue(failed.error().contains("HTTP 404") && failed.error().contains(FRIED), failed.error());
        assertEquals(2, report.count(PostStatus.UNCHANGED));
        assertEquals(3, store.status().posts());
        assertEquals(passages, store.status().passages());
        // A run with failures keeps no validators, so the next run retries the failed post.
        assertNull(store.feedState("jakevdp").orElseThrow().etag());
    }

    @Test
    void anEmptyArticleIsOneFailure() {
        server.serve(FRIED, "text/html", "<html><body><nav>Home</nav><article>  </article></body></html>");

        IngestReport report = ingest();

        assertEquals(2, report.count(PostStatus.ADDED));
        assertEquals(1, report.count(PostStatus.FAILED));
        String error = report.feeds().get(0).posts().stream().filter(p -> p.status() == PostStatus.FAILED)
                .findFirst().orElseThrow().error();
        assertTrue(error.contains("no article text found"), error);
    }

    @Test
    void aMalformedFeedFailsTheFeedAndKeepsStoredPosts() {
        ingest();
        long passages = store.status().passages();
        server.serve("/broken.xml", "application/rss+xml", "<rss version=\"2.0\"><channel><title>x</title><item>");

        IngestReport report = ingest("/broken.xml", IngestOptions.DEFAULTS);

        FeedOutcome feed = report.feeds().get(0);
        assertEquals(FeedOutcome.Status.FAILED, feed.status());
        assertTrue(feed.error().contains("not a valid RSS or Atom feed"), feed.error());
        assertEquals(3, store.status().posts());
        assertEquals(passages, store.status().passages());
    }

    @Test
    void anUnreachableFeedIsAFailedFeedNotACrash() {
        HttpFetcher http = new HttpFetcher(Duration.ofSeconds(2), 1 << 20, "feedsearch-test");
        Ingester ingester = new Ingester(store, EMBEDDER, new FeedReader(http), new ArticleExtractor(http, null, 1 << 20),
                IngestListener.NONE, Clock.systemUTC());
        server.close(); // nothing listens on its port now

        IngestReport report = ingester.run(List.of(FeedRequest.of(URI.create(server.base() + FEED), null)),
                IngestOptions.DEFAULTS);

        assertEquals(FeedOutcome.Status.FAILED, report.feeds().get(0).status());
        assertTrue(report.feeds().get(0).error().contains("connection refused"), report.feeds().get(0).error());
    }

    @Test
    void dryRunEmbedsAndWritesNothing() {
        IngestReport report = ingest(FEED, new IngestOptions(0, null, false, true, 2));

        assertEquals(3, report.count(PostStatus.WOULD_ADD));
        assertEquals(0, EMBEDDER.calls());
        assertEquals(0, store.status().posts());
        assertTrue(store.meta().isEmpty());
    }

    @Test
    void limitAndSinceSelectEntries() {
        IngestReport limited = ingest(FEED, new IngestOptions(1, null, false, false, 2));
        assertEquals(1, limited.count(PostStatus.ADDED));

        forgetValidators();
        IngestReport recent = ingest(FEED, new IngestOptions(0, java.time.Instant.parse("2014-01-01T00:00:00Z"), false, false, 2));
        assertEquals(1, recent.feeds().get(0).posts().size(), recent.toString());
        assertTrue(recent.feeds().get(0).posts().get(0).url().endsWith(FRIED));
    }

    /** As if the server had changed the feed: the next run reads it in full. */
    private void forgetValidators() {
        store.saveFeedState(new feedsearch.store.FeedState("jakevdp", null, null, java.time.Instant.now(), 3));
    }
}

package feedsearch.search;

import feedsearch.embed.LocalEmbedder;
import feedsearch.extract.ArticleExtractor;
import feedsearch.feed.FeedReader;
import feedsearch.http.HttpFetcher;
import feedsearch.ingest.FeedRequest;
import feedsearch.ingest.IngestListener;
import feedsearch.ingest.IngestOptions;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.Ingester;
import feedsearch.ingest.PostStatus;
import feedsearch.store.LocalStore;
import feedsearch.store.SearchFilter;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Questions worded unlike the posts they are about find those posts first. */
class SampleFeedRankingTest {
    @TempDir
    static Path dir;
    private static LocalStore store;
    private static Searcher searcher;

    @BeforeAll
    static void ingestSample() {
        store = LocalStore.openForWriting(dir.resolve("index"));
        LocalEmbedder embedder = new LocalEmbedder();
        HttpFetcher http = new HttpFetcher(Duration.ofSeconds(5), 1 << 20, "feedsearch-test");
        IngestReport report = new Ingester(store, embedder, new FeedReader(http), new ArticleExtractor(http, null, 1 << 20),
                IngestListener.NONE, Clock.systemUTC())
                .run(List.of(FeedRequest.of(FeedReader.locate(SampleFeed.path().toString()), "sample")), IngestOptions.DEFAULTS);
        assertEquals(12, report.count(PostStatus.ADDED), report.toString());
        searcher = new Searcher(store, embedder);
    }

    @AfterAll
    static void close() {
        store.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "write a program that replies to messages automatically | team-chat-bot",
            "homemade naturally leavened loaf                        | sourdough-from-scratch",
            "repair a punctured inner tube on my bike                | roadside-flat-tyre",
            "vegetables in pots on a small terrace                   | balcony-tomatoes",
            "looking at planets at night                             | stargazing-without-telescope",
            "cheap train trip from Tokyo to Kyoto                    | japan-rail-budget",
            "turn food waste into soil                               | composting-kitchen-scraps",
            "coffee machine grind size                               | home-espresso",
            "couch to jogging plan for a beginner                    | first-5k",
            "starting apiculture and harvesting honey                | first-year-beehive",
            "version control workflow with pull requests             | git-branching-small-teams",
            "how to begin a board game against an opponent           | chess-openings-principles"})
    void theRightPostRanksFirst(String question, String slug) {
        List<Hit> hits = searcher.search(question, 5, SearchFilter.NONE, -1);

        assertEquals(5, hits.size());
        assertTrue(hits.get(0).url().contains(slug), question + " -> " + hits.get(0).url());
        assertEquals(1, hits.get(0).rank());
        assertTrue(hits.get(0).score() > hits.get(1).score());
    }

    @Test
    void postsAreListedOnceEachWithDescendingScores() {
        List<Hit> hits = searcher.search("gardening", 12, SearchFilter.NONE, -1);

        assertEquals(12, hits.size());
        assertEquals(12, hits.stream().map(Hit::url).distinct().count());
        for (int i = 1; i < hits.size(); i++) {
            assertTrue(hits.get(i - 1).score() >= hits.get(i).score());
            assertEquals(i + 1, hits.get(i).rank());
        }
    }

    @Test
    void filtersAndMinimumScoreNarrowTheRanking() {
        List<Hit> recent = searcher.search("gardening", 12, new SearchFilter(null, Instant.parse("2024-10-01T00:00:00Z")), -1);
        assertEquals(3, recent.size(), recent.toString());
        assertTrue(recent.stream().allMatch(h -> !h.published().isBefore(Instant.parse("2024-10-01T00:00:00Z"))));

        assertTrue(searcher.search("gardening", 5, new SearchFilter("other-feed", null), -1).isEmpty());
        assertEquals(5, searcher.search("gardening", 5, new SearchFilter("sample", null), -1).size());

        List<Hit> confident = searcher.search("turn food waste into soil", 12, SearchFilter.NONE, 0.4);
        assertEquals(1, confident.size(), confident.toString());
    }
}

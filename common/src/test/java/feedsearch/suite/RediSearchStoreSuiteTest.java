package feedsearch.suite;

import feedsearch.config.Settings;
import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.search.Evaluation;
import feedsearch.search.Hit;
import feedsearch.search.LabeledQuestion;
import feedsearch.search.Searcher;
import feedsearch.store.LocalStore;
import feedsearch.store.PassageMatch;
import feedsearch.store.SearchFilter;
import feedsearch.store.StoreAccess;
import feedsearch.store.VectorStore;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.SampleFeed;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The suite on Redis's query engine. It needs a Redis with the engine (the redis:8 image, Redis
 * Stack): the GitHub workflow sets REDISEARCH_URL to its service; elsewhere the class is skipped.
 * Each test gets its own index and prefix, dropped afterwards, so a shared server stays clean.
 */
@EnabledIfEnvironmentVariable(named = "REDISEARCH_URL", matches = ".+",
        disabledReason = "REDISEARCH_URL is not set: no Redis with the query engine here")
class RediSearchStoreSuiteTest extends IngestAndSearchSuite {
    private static final String url = System.getenv("REDISEARCH_URL");
    private String index;

    /** As the commands do with REDIS_URL set, as in the README: the engine is detected. */
    private Settings settings() {
        if (index == null) {
            index = "fs-test-" + UUID.randomUUID().toString().substring(0, 8);
        }
        return Settings.defaults(Map.of("REDIS_URL", url), "test").withStore(index, null, null, null);
    }

    @Override
    protected VectorStore openEmptyStore() {
        VectorStore store = settings().openStore(StoreAccess.INGEST);
        assertTrue(store.describe().startsWith("search index"), store.describe());
        return store;
    }

    /**
     * The sample's labeled questions ranked hybrid on the query engine and in the local store:
     * the engine's BM25 and KNN are not Lucene's, but the figures agree within a small tolerance.
     */
    @Test
    void hybridRanksTheSampleQuestionsAsTheLocalStoreDoes(@TempDir Path dir) {
        LocalEmbedder embedder = new LocalEmbedder();
        List<LabeledQuestion> questions = LabeledQuestion.read(SampleFeed.questions());
        TestIngest.sample(store, embedder);
        Evaluation engine = hybridEvaluation(store, embedder, questions);
        Evaluation local;
        try (LocalStore localStore = LocalStore.openForWriting(dir.resolve("local"))) {
            TestIngest.sample(localStore, embedder);
            local = hybridEvaluation(localStore, embedder, questions);
        }
        assertEquals(local.questions(), engine.questions());
        assertEquals(local.hitAt5(), engine.hitAt5(), 0.1, "hit@5, local " + local + " engine " + engine);
        assertEquals(local.mrrAt10(), engine.mrrAt10(), 0.1, "MRR@10, local " + local + " engine " + engine);
    }

    private static Evaluation hybridEvaluation(VectorStore store, Embedder embedder, List<LabeledQuestion> questions) {
        Searcher searcher = new Searcher(store, store.requireMeta(), embedder);
        return Evaluation.of(questions, q -> searcher.search(q, Evaluation.DEPTH, SearchFilter.NONE, -1, Searcher.Mode.HYBRID));
    }

    /**
     * Hybrid ranking on the query engine: a word only one post uses finds that post first by BM25,
     * and no question, however hostile, is an error.
     */
    @Test
    void theQueryEngineRanksByWordsAndHostileQuestionsAreOnlyWords() {
        CountingEmbedder embedder = new CountingEmbedder();
        TestIngest.sample(store, embedder);
        assertTrue(store.hasTextIndex());
        Searcher searcher = new Searcher(store, store.requireMeta(), embedder);

        List<PassageMatch> byWords = store.textMatches("banneton", 10, SearchFilter.NONE);
        assertTrue(!byWords.isEmpty() && byWords.get(0).url().contains("sourdough-from-scratch"), byWords.toString());
        List<Hit> hits = searcher.search("what is a banneton for", 5, SearchFilter.NONE, -1);
        assertTrue(hits.get(0).url().contains("sourdough-from-scratch"), hits.toString());
        assertEquals(1, hits.get(0).textRank(), hits.toString());

        List<String> hostile = List.of("\"@title:{x}\"", "*", "-foo", "(", ")", "\"unbalanced", "a|b", "$K", "$BLOB",
                "@embedding:[KNN 5 $BLOB]", "%%bee%%", "~bread", "w'*'", "as", "isempty", "ismissing(@text)", "inf", "-inf",
                "1e5", "2024", "-- ; DROP", "\\", "{}[]:;", "東京 Москва café", "bee ".repeat(3_000), "?!");
        List<SearchFilter> filters = List.of(SearchFilter.NONE, new SearchFilter("sample", null),
                new SearchFilter("other feed: with {odd} chars", Instant.parse("2024-06-01T00:00:00Z")),
                SearchFilter.NONE.onlyPost(null, hits.get(0).url()));
        for (String question : hostile) {
            for (SearchFilter filter : filters) {
                store.textMatches(question, 20, filter); // answers, possibly nothing: never an error
                searcher.search(question, 5, filter, -1);
            }
        }
        assertEquals(List.of(), store.textMatches("(", 20, SearchFilter.NONE));
        assertTrue(store.textMatches("bee ".repeat(3_000), 20, SearchFilter.NONE).get(0).url().contains("beehive"));
    }

    @AfterEach
    void dropIndex() {
        try (VectorStore leftover = settings().openStore(StoreAccess.READ)) {
            leftover.drop();
        }
    }
}

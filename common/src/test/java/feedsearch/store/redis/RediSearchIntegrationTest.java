package feedsearch.store.redis;

import feedsearch.store.StoreAccess;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.config.Settings;
import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.search.Hit;
import feedsearch.search.Searcher;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.PostStatus;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.SearchFilter;
import feedsearch.store.VectorStore;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.search.IndexDataType;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What only a real query engine can show: index creation, reuse and mismatch, querying an index
 * built the way the source blog post's Python sample builds it, and upgrading an index made before
 * the text field. Runs where REDISEARCH_URL points at a Redis with the query engine (the GitHub
 * workflow's redis:8 service).
 */
@EnabledIfEnvironmentVariable(named = "REDISEARCH_URL", matches = ".+",
        disabledReason = "REDISEARCH_URL is not set: no Redis with the query engine here")
class RediSearchIntegrationTest {
    private final String url = System.getenv("REDISEARCH_URL");
    private final String index = "fs-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final RedisOptions options = RedisOptions.DEFAULTS.withEngine(null, index + ":p:");

    private RedisStore open() {
        return RedisStores.open(RedisEndpoint.fromUrl(url, Map.of()), index, options, StoreAccess.INGEST);
    }

    /** Commands sent as the stores send them, so that REDISEARCH_URL may name a cluster node: FT.* to a master, the rest to its slot. */
    private RedisConnection client() {
        return RedisConnector.connect(RedisEndpoint.fromUrl(url, Map.of()));
    }

    @AfterEach
    void drop() {
        try (RedisConnection client = client()) {
            try {
                client.onAnyNode(r -> r.ftDropIndexDD(index));
            } catch (RuntimeException alreadyGone) {
                // dropped by the test
            }
            client.unlink(client.scan(index + ":*"));
        }
    }

    @Test
    void theQueryEngineIsDetectedAndTheIndexCreatedThenReused() {
        try (RedisStore store = open()) {
            assertEquals(RediSearchStore.ENGINE, store.engine());
            IndexMeta meta = store.prepare("local", "all-minilm-l6-v2-q", 384);
            assertEquals("search", meta.engine());
        }
        try (RedisConnection client = client()) {
            client.commands().del(index + ":meta"); // as if the meta record were lost: FT.CREATE now meets an existing index
        }
        try (RedisStore store = open()) {
            IndexMeta reused = store.prepare("local", "all-minilm-l6-v2-q", 384);
            assertEquals(384, reused.dimension());
        }
    }

    @Test
    void anExistingIndexWithAnotherSchemaIsRefusedWithWhatDiffers() {
        try (RedisStore store = open()) {
            store.prepare("local", "all-minilm-l6-v2-q", 384);
        }
        try (RedisConnection client = client()) {
            client.commands().del(index + ":meta");
        }
        try (RedisStore store = open()) {
            FeedsearchException e = assertThrows(FeedsearchException.class, () -> store.prepare("local", "other", 8));
            assertEquals(ExitCode.INCOMPATIBLE_INDEX, e.exitCode());
            assertTrue(e.getMessage().contains("vector dimension is 384, not 8"), e.getMessage());
        }
    }

    @Test
    void theSourcePostsSampleIndexCanBeQueried() {
        // Built as the Python sample does: FT.CREATE posts ON HASH PREFIX 1 post: SCHEMA url TEXT
        // embedding VECTOR HNSW 6 TYPE FLOAT32 DIM <d> DISTANCE_METRIC COSINE, keys post:0..N with url
        // and embedding only. (Its DIM is 1536 for ada-002; here the local model's 384.)
        String prefix = index + ":post:";
        Embedder embedder = new LocalEmbedder();
        List<String> posts = List.of("Building a chat bot for Slack", "Baking sourdough bread", "Fixing a bicycle puncture");
        try (RedisConnection client = client()) {
            client.onAnyNode(r -> r.sendCommand(() -> "FT.CREATE".getBytes(StandardCharsets.US_ASCII), index, "ON", IndexDataType.HASH.name(),
                    "PREFIX", "1", prefix, "SCHEMA", "url", "TEXT", "embedding", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32",
                    "DIM", "384", "DISTANCE_METRIC", "COSINE"));
            for (int i = 0; i < posts.size(); i++) {
                byte[] key = (prefix + i).getBytes(StandardCharsets.UTF_8);
                client.commands().hset(key, "url".getBytes(StandardCharsets.UTF_8),
                        ("https://example.org/" + i).getBytes(StandardCharsets.UTF_8));
                client.commands().hset(key, "embedding".getBytes(StandardCharsets.UTF_8),
                        RedisStore.float32(embedder.embed(List.of(posts.get(i))).get(0)));
            }
        }
        RedisOptions sample = RedisOptions.DEFAULTS.withEngine(null, prefix);
        try (VectorStore store = RedisStores.open(RedisEndpoint.fromUrl(url, Map.of()), index, sample, StoreAccess.READ)) {
            IndexMeta meta = store.meta().orElseThrow();
            assertFalse(meta.recordsEmbedder());
            assertEquals(384, meta.dimension());

            Settings settings = Settings.defaults(Map.of(), "test").withStore(index, url, null, null);
            FeedsearchException unnamed = assertThrows(FeedsearchException.class, () -> settings.embedderFor(meta));
            assertTrue(unnamed.getMessage().contains("--embedder"), unnamed.getMessage());

            Embedder named = settings.withEmbedder("local", null).embedderFor(meta);
            List<Hit> hits = new Searcher(store, meta, named).search("how do I make a bot", 3, SearchFilter.NONE, -1);
            assertEquals("https://example.org/0", hits.get(0).url());
            assertEquals(3, hits.size());
        }
    }

    /** FT.ALTER and FT.CREATE index existing hashes in the background: wait until the engine is done. */
    private static void awaitIndexed(VectorStore store) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (store.health().percentIndexed() < 100.0) {
            if (System.nanoTime() > deadline) {
                fail("still indexing after 60 s: " + store.health());
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(e);
            }
        }
    }

    @Test
    void anIndexFromBeforeTheTextFieldIsAlteredOnIngestAndRanksByWordsWithoutReembedding() {
        CountingEmbedder embedder = new CountingEmbedder();
        try (RedisStore store = open()) {
            assertEquals(12, TestIngest.sample(store, embedder).count(PostStatus.ADDED));
        }
        // Turn it into what the previous release left: its FT.CREATE had no text field, its meta
        // record no text_index. Its passage hashes were the same, text included, so they stay.
        String prefix = index + ":p:";
        try (RedisConnection client = client()) {
            client.onAnyNode(r -> r.ftDropIndex(index)); // without DD: the hashes stay
            client.onAnyNode(r -> r.sendCommand(() -> "FT.CREATE".getBytes(StandardCharsets.US_ASCII), index, "ON", "HASH", "PREFIX", "1",
                    prefix, "SCHEMA", "url", "TAG", "title", "TEXT", "feed", "TAG", "published", "NUMERIC", "chunk", "NUMERIC",
                    "embedding", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "384", "DISTANCE_METRIC", "COSINE"));
            client.commands().hdel(index + ":meta", RediSearchStore.TEXT_INDEX);
            assertEquals(Set.of("engine", "embedder", "model", "dim", "metric", "algorithm", "vector_type", "schema_version",
                    "created"), client.commands().hgetAll(index + ":meta").keySet(), "the previous release's meta record");
        }
        try (RedisStore old = RedisStores.open(RedisEndpoint.fromUrl(url, Map.of()), index, options, StoreAccess.READ)) {
            awaitIndexed(old);
            assertFalse(SearchSchema.fromInfo(old.onAnyNode(r -> r.ftInfo(index))).hasText());
            assertFalse(old.hasTextIndex(), "not upgraded yet: a query ranks by vectors alone");
            List<Hit> hits = new Searcher(old, old.requireMeta(), embedder).search("bokashi", 3, SearchFilter.NONE, -1);
            assertEquals(3, hits.size());
            assertTrue(hits.stream().allMatch(h -> h.textRank() == 0), hits.toString());
        }

        embedder.reset();
        try (RedisStore store = open()) {
            IngestReport report = TestIngest.sample(store, embedder);
            assertEquals(12, report.count(PostStatus.UNCHANGED), report.toString());
        }
        assertEquals(0, embedder.calls(), "the upgrade embeds nothing");
        try (RedisConnection client = client()) {
            assertTrue(SearchSchema.fromInfo(client.onAnyNode(r -> r.ftInfo(index))).hasText(), "FT.ALTER added the text field");
            assertEquals("1", client.commands().hget(index + ":meta", RediSearchStore.TEXT_INDEX));
        }

        try (RedisStore store = RedisStores.open(RedisEndpoint.fromUrl(url, Map.of()), index, options, StoreAccess.READ)) {
            awaitIndexed(store);
            assertTrue(store.hasTextIndex());
            assertEquals(0, store.health().failures());

            List<PassageMatch> byWords = store.textMatches("What is bokashi?", 10, SearchFilter.NONE);
            assertFalse(byWords.isEmpty());
            assertTrue(byWords.get(0).url().contains("composting-kitchen-scraps"), byWords.toString());
            assertTrue(byWords.get(0).score() > 0, "the BM25 score, not a cosine");

            List<Hit> hybrid = new Searcher(store, store.requireMeta(), embedder).search("bokashi", 5, SearchFilter.NONE, -1);
            assertTrue(hybrid.get(0).url().contains("composting-kitchen-scraps"), hybrid.toString());
            assertEquals(1, hybrid.get(0).textRank());
        }

        embedder.reset();
        try (RedisStore again = open()) {
            // Upgraded already: the meta record says so, no second FT.ALTER.
            assertEquals(12, TestIngest.sample(again, embedder).count(PostStatus.UNCHANGED));
        }
        assertEquals(0, embedder.calls());
    }

    /** The engine's answers that the upgrade and the scorer fallback recognise. */
    @Test
    void aRepeatedFtAlterAndAnUnknownScorerAreRefusedInWordsWeRecognise() {
        try (RedisStore store = open()) {
            store.prepare("local", "all-minilm-l6-v2-q", 384);
        }
        RedisKeys keys = RedisKeys.of(index, options.prefix());
        try (RedisConnection client = client()) {
            // What a concurrent ingest's FT.ALTER meets when ours came first: counted as done.
            JedisDataException duplicate = assertThrows(JedisDataException.class,
                    () -> client.onAnyNode(r -> r.executeCommand(RediSearchStore.alterCommand(keys))));
            assertTrue(duplicate.getMessage().toLowerCase(Locale.ROOT).contains("duplicate field"), duplicate.getMessage());

            JedisDataException scorer = assertThrows(JedisDataException.class, () -> client.onAnyNode(r -> r.executeCommand(
                    RediSearchStore.textSearchCommand(keys, List.of("bot"), 5, SearchFilter.NONE, "NO_SUCH_SCORER"))));
            assertTrue(RediSearchStore.unknownScorer(scorer), scorer.getMessage());

            // Redis 8 knows BM25STD: no fallback needed there.
            client.onAnyNode(r -> r.executeCommand(RediSearchStore.textSearchCommand(keys, List.of("bot"), 5, SearchFilter.NONE,
                    RediSearchStore.BM25STD)));
        }
        try (RedisStore store = open()) {
            store.prepare("local", "all-minilm-l6-v2-q", 384); // idempotent
            assertTrue(store.hasTextIndex());
        }
    }
}

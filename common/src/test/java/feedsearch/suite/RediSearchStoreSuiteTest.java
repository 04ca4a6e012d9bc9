package feedsearch.suite;

import feedsearch.config.Settings;
import feedsearch.store.VectorStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.util.Map;
import java.util.UUID;

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
        VectorStore store = settings().openStoreForWriting();
        assertTrue(store.describe().startsWith("search index"), store.describe());
        return store;
    }

    @AfterEach
    void dropIndex() {
        try (VectorStore leftover = settings().openStoreForReading()) {
            leftover.drop();
        }
    }
}

package feedsearch.suite;

import feedsearch.store.VectorStore;
import feedsearch.store.redis.RedisEndpoint;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.RedisStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.util.Map;
import java.util.UUID;

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

    @Override
    protected VectorStore openEmptyStore() {
        if (index == null) {
            index = "fs-test-" + UUID.randomUUID().toString().substring(0, 8);
        }
        return RedisStores.open(RedisEndpoint.fromUrl(url, Map.of()), index,
                RedisOptions.DEFAULTS.withEngine("search", index + ":p:"), true);
    }

    @AfterEach
    void dropIndex() {
        try (VectorStore leftover = RedisStores.open(RedisEndpoint.fromUrl(url, Map.of()), index,
                RedisOptions.DEFAULTS.withEngine("search", index + ":p:"), false)) {
            leftover.drop();
        }
    }
}

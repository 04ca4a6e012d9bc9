package feedsearch.suite;

import feedsearch.store.StoreAccess;
import feedsearch.store.VectorStore;
import feedsearch.store.redis.RedisEndpoint;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.RedisStores;
import feedsearch.testing.Redis8;
import feedsearch.testing.RedisServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.RedisClient;

import java.util.Map;

/** The suite on a real Redis 8 server's vector sets. */
@ExtendWith(Redis8.class)
class VectorSetStoreSuiteTest extends IngestAndSearchSuite {
    private final RedisServer redis;

    VectorSetStoreSuiteTest(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeEach
    void empty() {
        try (RedisClient client = RedisClient.create(java.net.URI.create(redis.url()))) {
            client.flushAll();
        }
    }

    @Override
    protected VectorStore openEmptyStore() {
        return RedisStores.open(RedisEndpoint.fromUrl(redis.url(), Map.of()), "posts",
                RedisOptions.DEFAULTS.withEngine("vectorset", "post:"), StoreAccess.INGEST);
    }
}

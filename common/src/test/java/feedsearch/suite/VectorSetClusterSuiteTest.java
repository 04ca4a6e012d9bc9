package feedsearch.suite;

import feedsearch.store.StoreAccess;
import feedsearch.store.VectorStore;
import feedsearch.store.redis.RedisEndpoint;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.RedisStores;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisCluster8;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

/** The suite on sharded vector sets spread over a real Redis Cluster of 3 masters and 3 replicas. */
@ExtendWith(RedisCluster8.class)
class VectorSetClusterSuiteTest extends IngestAndSearchSuite {
    private final RedisCluster cluster;

    VectorSetClusterSuiteTest(RedisCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void empty() {
        cluster.flushAll();
    }

    @Override
    protected VectorStore openEmptyStore() {
        return RedisStores.open(RedisEndpoint.fromUrl(cluster.url(), Map.of()), "posts",
                RedisOptions.DEFAULTS.withEngine("vectorset", null), StoreAccess.INGEST);
    }
}

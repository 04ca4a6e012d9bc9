package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.ingest.PostStatus;
import feedsearch.store.StoreAccess;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisServer;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster whose nodes want a password: the password reaches every node, and none is a clear error. */
class ClusterLoginTest {
    private static final String PASSWORD = "s3cret-cluster";
    private static RedisCluster cluster;

    @BeforeAll
    static void start(@TempDir Path dir) {
        cluster = RedisCluster.start(RedisServer.requireBinary(), dir, 3, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void thePasswordFromTheEnvironmentReachesEveryNode() {
        RedisEndpoint endpoint = RedisEndpoint.fromUrl(cluster.url(), Map.of("REDIS_PASSWORD", PASSWORD));
        try (RedisStore store = RedisStores.open(endpoint, "posts", RedisOptions.DEFAULTS, StoreAccess.INGEST)) {
            assertEquals(12, TestIngest.sample(store, new CountingEmbedder()).count(PostStatus.ADDED));
            assertTrue(store.describe().contains("Redis Cluster"), store.describe());
            assertEquals(12, store.status().posts(), "posts on all three masters counted");
            assertFalse(store.describe().contains(PASSWORD));
        }
    }

    @Test
    void noPasswordOrAWrongOneIsOneLineExitThree() {
        FeedsearchException none = assertThrows(FeedsearchException.class, () ->
                RedisStores.open(RedisEndpoint.fromUrl(cluster.url(), Map.of()), "posts", RedisOptions.DEFAULTS, StoreAccess.READ));
        assertEquals(ExitCode.UNREACHABLE, none.exitCode());
        assertTrue(none.getMessage().contains("needs a password"), none.getMessage());
        FeedsearchException wrong = assertThrows(FeedsearchException.class, () -> RedisStores.open(
                RedisEndpoint.fromUrl(cluster.url(), Map.of("REDIS_PASSWORD", "nope")), "posts", RedisOptions.DEFAULTS, StoreAccess.READ));
        assertEquals(ExitCode.UNREACHABLE, wrong.exitCode());
        assertFalse(wrong.getMessage().contains("nope"), wrong.getMessage());
    }
}

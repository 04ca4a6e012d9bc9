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
import redis.clients.jedis.Jedis;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster whose nodes want a login: the password, or an ACL user, reaches every node; none is a clear error. */
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
    void anAclUserLogsInOnEveryNode() {
        for (RedisServer node : cluster.liveNodes()) {
            try (Jedis jedis = cluster.client(node)) {
                // ACLs are per node: an operator sets the user up on each.
                jedis.aclSetUser("feeder", "on", ">feeder-pw", "~*", "&*", "+@all");
            }
        }
        RedisEndpoint endpoint = RedisEndpoint.fromUrl(cluster.url(), Map.of("REDIS_USER", "feeder", "REDIS_PASSWORD", "feeder-pw"));
        try (RedisStore store = RedisStores.open(endpoint, "acl", RedisOptions.DEFAULTS, StoreAccess.INGEST)) {
            assertEquals(12, TestIngest.sample(store, new CountingEmbedder()).count(PostStatus.ADDED));
            assertEquals(12, store.status().posts());
            assertTrue(store.describe().contains("feeder@"), store.describe());
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

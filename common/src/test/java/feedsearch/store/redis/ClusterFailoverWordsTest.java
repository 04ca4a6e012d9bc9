package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.StoreAccess;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.HostAndPort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a cluster says while a slot changes hands is retried, and once retries are spent, exit 3 in words, not a trace. */
class ClusterFailoverWordsTest {
    private final RediSearchStore offline = new RediSearchStore(null, RedisEndpoint.fromUrl("redis://127.0.0.1:7000", java.util.Map.of()),
            RedisKeys.of("posts", null), RedisOptions.DEFAULTS, StoreAccess.READ);

    @Test
    void redirectsAndAClusterDownAreFailovers() {
        assertTrue(RedisConnection.Cluster.isFailover(new JedisClusterException("CLUSTERDOWN The cluster is down")));
        assertTrue(RedisConnection.Cluster.isFailover(new JedisMovedDataException("MOVED 3999 127.0.0.1:7001",
                new HostAndPort("127.0.0.1", 7001), 3999)));
        JedisDataException aborted = new JedisDataException("EXECABORT Transaction discarded because of previous errors.");
        aborted.addSuppressed(new JedisDataException("TRYAGAIN Multiple keys request during rehashing of slot"));
        assertTrue(RedisConnection.Cluster.isFailover(aborted));
        assertFalse(RedisConnection.Cluster.isFailover(new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value")));
    }

    @Test
    void spentRetriesAreExitThreeAndOtherErrorsPassThrough() {
        FeedsearchException down = assertThrows(FeedsearchException.class, () -> offline.call(() -> {
            throw new JedisClusterException("CLUSTERDOWN The cluster is down");
        }));
        assertEquals(ExitCode.UNREACHABLE, down.exitCode());
        assertTrue(down.getMessage().contains("failover or resharding"), down.getMessage());

        FeedsearchException lost = assertThrows(FeedsearchException.class, () -> offline.call(() -> {
            throw new IllegalStateException("Please close pipeline or multi block before calling this method.");
        }));
        assertEquals(ExitCode.UNREACHABLE, lost.exitCode());

        JedisDataException other = new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value");
        assertSame(other, assertThrows(JedisDataException.class, () -> offline.call(() -> {
            throw other;
        })));
    }
}

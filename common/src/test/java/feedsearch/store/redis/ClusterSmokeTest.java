package feedsearch.store.redis;

import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisCluster8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(RedisCluster8.class)
class ClusterSmokeTest {
    @Test
    void starts(RedisCluster cluster) {
        try (RedisClusterClient c = RedisClusterClient.create(new HostAndPort("127.0.0.1", cluster.liveNodes().get(0).port()))) {
            c.set("a", "1");
            assertEquals("1", c.get("a"));
            assertEquals(3, c.getClusterNodes().size()); // masters
        }
    }
}

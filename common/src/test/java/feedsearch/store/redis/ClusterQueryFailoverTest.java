package feedsearch.store.redis;

import feedsearch.embed.LocalEmbedder;
import feedsearch.search.Hit;
import feedsearch.search.Searcher;
import feedsearch.store.SearchFilter;
import feedsearch.store.StoreAccess;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisCluster8;
import feedsearch.testing.RedisServer;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * A question asked while a master fails over (kill -9, its replica promoted) is answered in full
 * once the slots have moved, as a write would ride through, rather than failing: a query reads
 * every shard, so any master lost stops it.
 */
@ExtendWith(RedisCluster8.class)
class ClusterQueryFailoverTest {
    private static final RedisOptions VECTOR_SETS = RedisOptions.DEFAULTS.withEngine("vectorset", null);

    @Test
    void aQueryDuringAFailoverIsAnsweredFromEveryShard(RedisCluster cluster) {
        LocalEmbedder model = new LocalEmbedder();
        RedisEndpoint endpoint = RedisEndpoint.fromUrl(cluster.url(), Map.of());
        try (RedisStore store = RedisStores.open(endpoint, "posts", VECTOR_SETS, StoreAccess.INGEST)) {
            TestIngest.sample(store, model);
        }
        int slot = JedisClusterCRC16.getSlot(ShardTags.of(RedisOptions.CLUSTER_SHARDS).tags().get(0));
        RedisServer victim = cluster.masterOf(slot);
        // The URL must name a node that stays up, as a user's would.
        RedisServer live = cluster.liveNodes().stream().filter(node -> node.port() != victim.port()).findFirst().orElseThrow();
        endpoint = RedisEndpoint.fromUrl("redis://127.0.0.1:" + live.port(), Map.of());
        try (RedisStore store = RedisStores.open(endpoint, "posts", VECTOR_SETS, StoreAccess.READ)) {
            Searcher searcher = new Searcher(store, store.requireMeta(), model);
            assertEquals(12, searcher.search("how do I build a bot", 20, SearchFilter.NONE, -1).size(), "before");

            victim.kill();
            List<Hit> during = searcher.search("how do I build a bot", 20, SearchFilter.NONE, -1);

            assertFalse(victim.isAlive());
            assertNotEquals(victim.port(), cluster.awaitMasterOf(slot).port(), "the replica took over");
            assertEquals(12, during.size(), "every post, from every shard");
            assertEquals("https://workbench.example.org/2024/01/team-chat-bot/", during.get(0).url());
        }
    }
}

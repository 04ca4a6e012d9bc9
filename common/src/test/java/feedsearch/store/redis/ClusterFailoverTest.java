package feedsearch.store.redis;

import feedsearch.feed.FeedReader;
import feedsearch.ingest.IngestListener;
import feedsearch.ingest.IngestOptions;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.PostOutcome;
import feedsearch.ingest.PostStatus;
import feedsearch.store.FeedState;
import feedsearch.store.PostRecord;
import feedsearch.store.StoreAccess;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.GeneratedFeed;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisCluster8;
import feedsearch.testing.RedisServer;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * kill -9 of a master a third of the way through an ingest, its replica promoted: nothing lost,
 * nothing twice. The feed is 150 generated posts, or the one the system property
 * {@code feedsearch.failover.feed} names (scripts/failover-shared-blog.sh serves the shared blog).
 */
@ExtendWith(RedisCluster8.class)
class ClusterFailoverTest {
    private static final int GENERATED_POSTS = 150;
    private static final RedisOptions VECTOR_SETS = RedisOptions.DEFAULTS.withEngine("vectorset", null);

    @Test
    void aMasterKilledMidRunLosesNoPostAndStoresNoneTwice(RedisCluster cluster, @TempDir Path dir) {
        String named = System.getProperty("feedsearch.failover.feed");
        URI feed = named != null ? URI.create(named)
                : FeedReader.locate(GeneratedFeed.write(dir.resolve("feed.xml"), GENERATED_POSTS, 300).toString());
        RedisEndpoint endpoint = RedisEndpoint.fromUrl(cluster.url(), Map.of());
        CountingEmbedder embedder = new CountingEmbedder();
        int slot = JedisClusterCRC16.getSlot(ShardTags.of(RedisOptions.CLUSTER_SHARDS).tags().get(0));
        RedisServer victim = cluster.masterOf(slot);
        AtomicInteger entries = new AtomicInteger();
        AtomicInteger written = new AtomicInteger();
        IngestListener killer = new IngestListener() {
            @Override
            public void feedStarted(String name, int count) {
                entries.set(count);
            }

            @Override
            public void postDone(PostOutcome outcome) {
                if (written.incrementAndGet() == entries.get() / 3) {
                    victim.kill();
                }
            }
        };

        IngestReport first;
        try (RedisStore store = RedisStores.open(endpoint, "posts", VECTOR_SETS, StoreAccess.INGEST)) {
            first = TestIngest.feed(store, embedder, feed, "generated", IngestOptions.DEFAULTS, killer);
        }
        assertFalse(victim.isAlive());
        assertNotEquals(victim.port(), cluster.awaitMasterOf(slot).port(), "the replica took over");
        long added = first.count(PostStatus.ADDED);
        long failed = first.count(PostStatus.FAILED);
        int posts = entries.get();
        assertEquals(posts, added + failed, "every post reported once: " + added + " added, " + failed + " failed");
        System.out.printf("%s: master %d killed after %d of %d posts; first run %d added, %d failed%n", feed, victim.port(),
                posts / 3, posts, added, failed);

        // The first URL named the victim: a user points at a live node.
        endpoint = RedisEndpoint.fromUrl(cluster.url(), Map.of());
        IngestReport second;
        try (RedisStore store = RedisStores.open(endpoint, "posts", VECTOR_SETS, StoreAccess.INGEST)) {
            // A clean run kept the feed's validators: forget them, so that the re-run reads every entry.
            store.saveFeedState(new FeedState("generated", null, null, Instant.now(), posts));
            second = TestIngest.feed(store, embedder, feed, "generated", IngestOptions.DEFAULTS);
        }
        assertEquals(0, second.count(PostStatus.FAILED));
        assertEquals(failed, second.count(PostStatus.ADDED), "a re-run adds exactly what the first run reported failed: "
                + "no post it reported added was lost in the failover");
        assertEquals(added, second.count(PostStatus.UNCHANGED));
        System.out.printf("re-run: %d added, %d unchanged, %d failed%n", second.count(PostStatus.ADDED),
                second.count(PostStatus.UNCHANGED), second.count(PostStatus.FAILED));

        try (RedisStore store = RedisStores.open(endpoint, "posts", VECTOR_SETS, StoreAccess.READ)) {
            RedisKeys keys = store.keys;
            long chunks = 0;
            int stored = 0;
            for (String postKey : store.scan(keys.postPattern())) {
                String postId = postKey.substring(postKey.lastIndexOf(':') + 1);
                PostRecord post = store.post(postId).orElseThrow();
                stored++;
                chunks += post.chunks();
                for (int c = 0; c < post.chunks(); c++) {
                    assertNotNull(store.redis.hget(keys.passage(postId, c), "text"), postId + " passage " + c);
                    assertNotNull(store.redis.vgetattr(keys.vectorSet(postId), keys.passage(postId, c)), postId + " element " + c);
                }
                assertNull(store.redis.hget(keys.passage(postId, post.chunks()), "text"), postId + ": no passage beyond its count");
            }
            assertEquals(posts, stored);
            assertEquals(chunks, store.scan(keys.prefix() + "*").size(), "passage hashes");
            assertEquals(chunks, store.status().passages(), "vector-set elements, summed over the shards");
            System.out.printf("then: %d post records, %d passage hashes, %d vector-set elements, each post's passages all there%n",
                    stored, chunks, store.status().passages());
        }
    }
}

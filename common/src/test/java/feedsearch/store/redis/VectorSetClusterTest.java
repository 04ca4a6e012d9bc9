package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.feed.FeedReader;
import feedsearch.ingest.IngestOptions;
import feedsearch.store.PostRecord;
import feedsearch.store.StoreAccess;
import feedsearch.store.StoreStatus;
import feedsearch.store.StoredPassage;
import feedsearch.store.VectorStore;
import feedsearch.store.WriteLock;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.GeneratedFeed;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisCluster8;
import feedsearch.testing.RedisServer;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What is particular to a cluster: the layout across masters, atomic replacement, drop, locks, a racing first run. */
@ExtendWith(RedisCluster8.class)
class VectorSetClusterTest {
    private static final RedisOptions VECTOR_SETS = RedisOptions.DEFAULTS.withEngine("vectorset", null);

    private final RedisCluster cluster;
    private final CountingEmbedder embedder = new CountingEmbedder();

    VectorSetClusterTest(RedisCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void empty() {
        cluster.flushAll();
    }

    private RedisStore open(RedisOptions options, StoreAccess access) {
        return RedisStores.open(RedisEndpoint.fromUrl(cluster.url(), Map.of()), "posts", options, access);
    }

    private void ingestGenerated(Path dir, int posts) {
        Path feed = GeneratedFeed.write(dir.resolve("feed.xml"), posts, 300);
        try (RedisStore store = open(VECTOR_SETS, StoreAccess.INGEST)) {
            TestIngest.feed(store, embedder, FeedReader.locate(feed.toString()), "generated", IngestOptions.DEFAULTS);
        }
    }

    private List<Jedis> masters() {
        List<Jedis> masters = new ArrayList<>();
        for (RedisServer node : cluster.liveNodes()) {
            Jedis jedis = cluster.client(node);
            if (jedis.info("replication").contains("role:master")) {
                masters.add(jedis);
            } else {
                jedis.close();
            }
        }
        return masters;
    }

    @Test
    void postsSpreadOverEveryMasterAndStatusCountsThemAll(@TempDir Path dir) {
        ingestGenerated(dir, 60);
        StoreStatus status;
        try (RedisStore store = open(VECTOR_SETS, StoreAccess.READ)) {
            status = store.status();
        }
        assertTrue(status.location().contains("Redis Cluster") && status.location().contains("3 masters, 6 nodes"),
                status.location());
        assertEquals(60, status.posts());
        long passages = 0;
        List<Jedis> masters = masters();
        assertEquals(3, masters.size());
        for (Jedis master : masters) {
            try (master) {
                Set<String> sets = new HashSet<>(master.keys("posts:vectors:*"));
                assertTrue(sets.size() >= 5, "16 shards over 3 masters: at least 5 each, got " + sets);
                for (String set : sets) {
                    passages += master.vcard(set);
                }
            }
        }
        assertEquals(status.passages(), passages);
        assertTrue(passages > 60, "several passages a post: " + passages);
    }

    @Test
    void aReplacedPostIsNeverSeenHalfWritten() throws Exception {
        try (RedisStore store = open(VECTOR_SETS, StoreAccess.INGEST)) {
            store.prepare("test", "test", 4);
            String id = "0123456789abcdef";
            RedisKeys keys = store.keys;
            int slot = JedisClusterCRC16.getSlot(keys.post(id));
            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService writer = Executors.newSingleThreadExecutor();
            Future<?> writes = writer.submit(() -> {
                for (int round = 0; round < 300; round++) {
                    String version = round % 2 == 0 ? "even" : "odd";
                    int chunks = round % 2 == 0 ? 2 : 5;
                    List<StoredPassage> passages = new ArrayList<>();
                    for (int c = 0; c < chunks; c++) {
                        passages.add(new StoredPassage(c, version + " passage " + c, new float[]{1, c, round, 1}));
                    }
                    store.replacePost(new PostRecord(id, "https://example.org/p", version, "feed", null, version, chunks,
                            Instant.now()), passages);
                }
                writing.set(false);
                return null;
            });
            int reads = 0;
            RedisServer master = cluster.masterOf(slot);
            try (Jedis reader = cluster.client(master)) {
                while (writing.get()) {
                    // One transaction reads what a query could see: the record, each passage hash, each set element.
                    Transaction tx = reader.multi();
                    Response<String> record = tx.hget(keys.post(id), "title");
                    List<Response<String>> texts = new ArrayList<>();
                    List<Response<String>> elements = new ArrayList<>();
                    for (int c = 0; c < 6; c++) {
                        texts.add(tx.hget(keys.passage(id, c), "text"));
                        elements.add(tx.vgetattr(keys.vectorSet(id), keys.passage(id, c)));
                    }
                    tx.exec();
                    if (record.get() == null) {
                        continue;
                    }
                    reads++;
                    int expected = record.get().equals("even") ? 2 : 5;
                    for (int c = 0; c < 6; c++) {
                        String text = texts.get(c).get();
                        if (c < expected) {
                            assertTrue(text != null && text.startsWith(record.get()), "passage " + c + " of " + record.get() + ": " + text);
                            assertTrue(elements.get(c).get() != null, "element " + c + " of " + record.get());
                        } else {
                            assertEquals(null, text, "leftover passage " + c + " beside " + record.get());
                            assertEquals(null, elements.get(c).get(), "leftover element " + c + " beside " + record.get());
                        }
                    }
                }
            }
            writes.get();
            writer.shutdown();
            assertTrue(reads > 20, "the reader saw the post while it was being rewritten: " + reads + " reads");
        }
    }

    @Test
    void twoIngestsWritingOnePostLeaveNoPassageUncounted() throws Exception {
        String id = "feedfacefeedface";
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (RedisStore first = open(VECTOR_SETS, StoreAccess.INGEST);
             RedisStore second = open(VECTOR_SETS, StoreAccess.INGEST)) {
            first.prepare("test", "test", 4);
            second.prepare("test", "test", 4);
            List<Future<?>> runs = new ArrayList<>();
            for (RedisStore store : List.of(first, second)) {
                int chunks = store == first ? 5 : 2; // the same post, as two feeds' copies of it differ
                runs.add(writers.submit(() -> {
                    for (int round = 0; round < 150; round++) {
                        List<StoredPassage> passages = new ArrayList<>();
                        for (int c = 0; c < chunks; c++) {
                            passages.add(new StoredPassage(c, "passage " + c, new float[]{1, c, round, 1}));
                        }
                        store.replacePost(new PostRecord(id, "https://example.org/shared", "t", "f", null, "h" + chunks, chunks,
                                Instant.now()), passages);
                    }
                    return null;
                }));
            }
            // Meanwhile, in one transaction on the post's master: a passage beyond the record's count
            // is one no later rewrite knows to delete.
            RedisKeys keys = first.keys;
            int uncounted = 0;
            int reads = 0;
            try (Jedis reader = cluster.client(cluster.masterOf(JedisClusterCRC16.getSlot(keys.post(id))))) {
                while (runs.stream().anyMatch(run -> !run.isDone())) {
                    Transaction tx = reader.multi();
                    Response<String> chunks = tx.hget(keys.post(id), "chunks");
                    List<Response<Boolean>> passages = new ArrayList<>();
                    for (int c = 0; c < 5; c++) {
                        passages.add(tx.exists(keys.passage(id, c)));
                    }
                    tx.exec();
                    if (chunks.get() != null) {
                        reads++;
                        for (int c = Integer.parseInt(chunks.get()); c < 5; c++) {
                            uncounted += passages.get(c).get() ? 1 : 0;
                        }
                    }
                }
            }
            for (Future<?> run : runs) {
                run.get();
            }
            assertTrue(reads > 20, reads + " reads");
            assertEquals(0, uncounted, "passages beyond the record's count, seen in " + reads + " reads");
            int counted = first.post(id).orElseThrow().chunks();
            for (int c = 0; c < 5; c++) {
                assertEquals(c < counted, first.redis.vgetattr(keys.vectorSet(id), keys.passage(id, c)) != null,
                        "vector-set element " + c + " of " + counted);
            }
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void dropRemovesEveryKeyFromEveryMaster(@TempDir Path dir) {
        ingestGenerated(dir, 30);
        try (RedisStore store = open(VECTOR_SETS, StoreAccess.EXCLUSIVE)) {
            store.drop();
        }
        for (Jedis master : masters()) {
            try (master) {
                assertEquals(0, master.dbSize(), "left: " + master.keys("*"));
            }
        }
    }

    @Test
    void ingestsOfDifferentFeedsShareTheIndexButNotAFeed() {
        try (RedisStore first = open(VECTOR_SETS, StoreAccess.INGEST);
             RedisStore second = open(VECTOR_SETS, StoreAccess.INGEST)) {
            try (WriteLock a = first.lockFeeds(List.of("https://a.example/feed", "https://b.example/feed"))) {
                try (WriteLock c = second.lockFeeds(List.of("https://c.example/feed"))) {
                    FeedsearchException taken = assertThrows(FeedsearchException.class,
                            () -> second.lockFeeds(List.of("https://c2.example/feed", "https://b.example/feed")));
                    assertEquals(ExitCode.LOCKED, taken.exitCode());
                    assertTrue(taken.getMessage().contains("feed https://b.example/feed") && taken.getMessage().contains("pid "),
                            taken.getMessage());
                    FeedsearchException drop = assertThrows(FeedsearchException.class, () -> open(VECTOR_SETS, StoreAccess.EXCLUSIVE));
                    assertEquals(ExitCode.LOCKED, drop.exitCode());
                }
                // All or none: the refused claim let go of c2 as well.
                second.lockFeeds(List.of("https://c2.example/feed")).close();
            }
            try (RedisStore drop = open(VECTOR_SETS, StoreAccess.EXCLUSIVE)) {
                FeedsearchException ingest = assertThrows(FeedsearchException.class,
                        () -> first.lockFeeds(List.of("https://a.example/feed")));
                assertEquals(ExitCode.LOCKED, ingest.exitCode());
            }
            first.lockFeeds(List.of("https://a.example/feed")).close();
        }
    }

    @Test
    void twoFirstRunsRacingLeaveOneIndexLayout() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                cluster.flushAll();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<RedisKeys>> layouts = new ArrayList<>();
                for (int shards : new int[]{8, 16}) {
                    layouts.add(pool.submit(() -> {
                        try (RedisStore store = open(VECTOR_SETS.withShards(shards), StoreAccess.INGEST)) {
                            go.await();
                            store.prepare("test", "test", 4);
                            String id = "post" + shards;
                            store.replacePost(new PostRecord(id, "https://example.org/" + id, "t", "f", null, "h", 1, Instant.now()),
                                    List.of(new StoredPassage(0, "text", new float[]{1, 2, 3, 4})));
                            return store.keys;
                        }
                    }));
                }
                go.countDown();
                RedisKeys a = layouts.get(0).get();
                RedisKeys b = layouts.get(1).get();
                assertEquals(a.shards(), b.shards(), "round " + round);
                try (RedisStore reader = open(VECTOR_SETS, StoreAccess.READ)) {
                    assertEquals(2, reader.status().posts());
                    assertEquals(2, reader.status().passages(), "both posts' vectors in the recorded shards");
                    assertTrue(reader.post("post8").isPresent() && reader.post("post16").isPresent());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }
}

package feedsearch.cli;

import feedsearch.testing.CommandRun;
import feedsearch.testing.NotRedis;
import feedsearch.testing.Redis8;
import feedsearch.testing.RedisIndexContents;
import feedsearch.testing.RedisIndexContents.PostShape;
import feedsearch.testing.RedisServer;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redis failing in the ways a long-running ingest meets: a URL pointing at the wrong kind of
 * server, or a Redis that runs out of memory. Each is one line naming the server, exit 3, in a
 * bounded time, and leaves what was stored intact.
 */
@ExtendWith(Redis8.class)
class RedisFaultTest {
    /** Three times the 5 s that any read of a connection's setup may take: room for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final long HEADROOM_BYTES = 160 * 1024;

    private final RedisServer redis;

    @TempDir
    Path dir;

    RedisFaultTest(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeEach
    void empty() {
        try (RedisClient client = client()) {
            client.configSet("maxmemory", "0");
            client.flushAll();
        }
    }

    private RedisClient client() {
        return RedisClient.create(URI.create(redis.url()));
    }

    private static CommandRun ingest(String redisUrl, String... args) {
        IngestCommand command = new IngestCommand();
        command.env = Map.of("REDIS_URL", redisUrl);
        return CommandRun.of(command, args);
    }

    private static void assertOneLine(CommandRun run) {
        assertEquals(1, run.err().strip().lines().count(), run.toString());
        assertFalse(run.err().contains("\tat "), run.toString());
    }

    private static void assertCannotReach(String url, String reason) {
        long start = System.nanoTime();
        CommandRun run = ingest(url, "--feed", SampleFeed.path().toString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("took " + took.toMillis() + " ms: " + run);

        assertEquals(3, run.exitCode(), run.toString());
        assertEquals("ingest: cannot reach Redis at " + url + ": " + reason, run.err().strip());
        assertOneLine(run);
        assertTrue(took.compareTo(BOUND) < 0, "took " + took);
    }

    @Test
    void tlsToARedisWithoutTlsFailsInBoundedTime() {
        assertCannotReach("rediss://127.0.0.1:" + redis.port(), "TLS handshake failed or timed out (is TLS enabled on the server?)");
    }

    @Test
    void aWebServerOnThePortIsNotTakenForRedis() {
        try (NotRedis web = NotRedis.http()) {
            assertCannotReach(web.url(), "the server there does not speak the Redis protocol");
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() {
        try (NotRedis silent = NotRedis.silent()) {
            assertCannotReach(silent.url(), "no answer within 5s (is it a Redis server?)");
        }
    }

    @Test
    void outOfMemorySaysSoAndLeavesStoredPostsIntact() throws Exception {
        CommandRun first = ingest(redis.url(), "--feed", SampleFeed.path().toString(), "--tag", "sample");
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.out().contains("12 added"), first.out());

        // Another feed like the sample, its posts under other URLs. Stored, its 12 posts (36
        // passages) take about 150 KB, and more while a post's transaction is queued: the room
        // left takes a few of them (5 in three runs with 160 KB).
        Path second = dir.resolve("second.xml");
        Files.writeString(second, Files.readString(SampleFeed.path()).replace("workbench.example.org", "second.example.org"));
        Map<String, PostShape> before;
        try (RedisClient client = client()) {
            before = posts(client);
            long used = usedMemory(client);
            client.configSet("maxmemory-policy", "noeviction");
            client.configSet("maxmemory", String.valueOf(used + HEADROOM_BYTES));
            System.out.println("used_memory with the sample " + used + ", maxmemory " + (used + HEADROOM_BYTES));
        }

        try {
            CommandRun full = ingest(redis.url(), "--feed", second.toString(), "--tag", "second", "--quiet");
            System.out.println(full);

            assertEquals(3, full.exitCode(), full.toString());
            assertTrue(full.err().startsWith("ingest: Redis at " + redis.url() + " is out of memory (maxmemory reached; "
                    + "raise maxmemory or free space): OOM command not allowed when used memory > 'maxmemory'"), full.err());
            assertOneLine(full);
            try (RedisClient client = client()) {
                Map<String, PostShape> after = posts(client);
                System.out.println("used_memory after " + usedMemory(client) + "; posts before " + before.size()
                        + ", after " + after.size());
                for (Map.Entry<String, PostShape> post : before.entrySet()) {
                    assertEquals(post.getValue(), after.get(post.getKey()), "sample post " + post.getKey());
                }
                // Some posts of the second feed were written, so it was a post's MULTI/EXEC that
                // Redis refused, not the lock taken before them.
                int added = after.size() - before.size();
                assertTrue(added > 0 && added < 12, added + " posts of the second feed stored");
                after.forEach((id, post) -> assertEquals(post.chunks(), post.passages(), "passages of " + id));
                RedisIndexContents contents = RedisIndexContents.read(client, "posts", "post:");
                assertEquals(contents.chunks(), contents.passageHashes(), "no passage without its post record");
                assertEquals(contents.chunks(), contents.vectorElements(), "every passage in the vector sets, none beyond");
            }
        } finally {
            try (RedisClient client = client()) {
                client.configSet("maxmemory", "0");
            }
        }
    }

    /** What a post record says, and how many passage keys it really has. */
    private static Map<String, PostShape> posts(RedisClient client) {
        return RedisIndexContents.read(client, "posts", "post:").posts();
    }

    private static long usedMemory(RedisClient client) {
        for (String line : client.info("memory").split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("INFO memory has no used_memory");
    }
}

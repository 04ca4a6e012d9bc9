package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.CommandRun;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.FeedServer;
import feedsearch.testing.Redis8;
import feedsearch.testing.RedisIndexContents;
import feedsearch.testing.RedisServer;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ingest command against a real Redis 8 (vector sets), including Redis failing under it. */
@ExtendWith(Redis8.class)
class RedisIngestTest {
    private final RedisServer redis;

    @TempDir
    Path dir;

    RedisIngestTest(RedisServer redis) {
        this.redis = redis;
    }

    @BeforeEach
    void empty() {
        try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            client.flushAll();
        }
    }

    private static CommandRun ingest(Map<String, String> env, String... args) {
        IngestCommand command = new IngestCommand();
        command.env = env;
        return CommandRun.of(command, args);
    }

    private static void assertOneLine(CommandRun run) {
        assertEquals(1, run.err().strip().lines().count(), run.toString());
        assertFalse(run.err().contains("\tat "), run.toString());
    }

    @Test
    void ingestStatusAndDropOnRedisWithTheVariablesOfTheReadme() throws Exception {
        Map<String, String> env = Map.of("REDIS_URL", redis.url());
        CommandRun first = ingest(env, "--feed", SampleFeed.path().toString(), "--tag", "sample");
        assertEquals(0, first.exitCode(), first.toString());
        assertTrue(first.err().contains("using vectorset index 'posts' on " + redis.url()), first.err());
        assertTrue(first.out().contains("12 added"), first.out());

        CommandRun again = ingest(env, "--feed", SampleFeed.path().toString(), "--tag", "sample");
        assertTrue(again.out().contains("0 added, 0 updated, 12 unchanged"), again.out());

        JsonNode status = new ObjectMapper().readTree(ingest(env, "status", "--json").out());
        assertEquals("vectorset", status.get("engine").asText());
        assertEquals(12, status.get("posts").asInt());
        assertEquals("q8", status.get("vector_type").asText());
        assertEquals("sample", status.get("feeds").get(0).get("feed").asText());

        CommandRun drop = ingest(env, "drop", "--yes");
        assertEquals(0, drop.exitCode(), drop.toString());
        try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            assertEquals(0, client.dbSize(), "drop leaves no key behind");
        }
    }

    @Test
    void theEngineIsDetectedRecordedAndKept() {
        Map<String, String> env = Map.of("REDIS_URL", redis.url());
        assertEquals(0, ingest(env, "--feed", SampleFeed.path().toString(), "--quiet").exitCode());

        CommandRun other = ingest(env, "--feed", SampleFeed.path().toString(), "--redis-engine", "search");
        assertEquals(4, other.exitCode(), other.toString());
        assertTrue(other.err().contains("was built with the vectorset engine, not search"), other.err());

        CommandRun unknown = ingest(env, "--feed", SampleFeed.path().toString(), "--redis-engine", "lucene");
        assertEquals(2, unknown.exitCode(), unknown.toString());
    }

    @Test
    void aSecondIngestOnTheSameRedisIndexIsLockedOut() {
        Map<String, String> env = Map.of("REDIS_URL", redis.url());
        try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            client.set("posts:lock", "ingest pid 4242 deadbeef");
            client.pexpire("posts:lock", 20_000);
            CommandRun run = ingest(env, "--feed", SampleFeed.path().toString());
            assertEquals(5, run.exitCode(), run.toString());
            assertTrue(run.err().contains("is locked: another ingest is writing to it (ingest pid 4242; lock posts:lock expires in"),
                    run.err());
            assertEquals("ingest pid 4242 deadbeef", client.get("posts:lock"), "the holder's lock is left alone");
        }
    }

    @Test
    void openAiVectorsGoToRedisToo() throws Exception {
        try (FakeOpenAi api = new FakeOpenAi("sk-redis-test")) {
            Map<String, String> env = Map.of("REDIS_URL", redis.url(), "OPENAI_BASE_URL", api.baseUrl(),
                    "OPENAI_API_KEY", "sk-redis-test");
            CommandRun run = ingest(env, "--feed", SampleFeed.path().toString(), "--embedder", "openai", "--index", "openai");
            assertEquals(0, run.exitCode(), run.toString());

            JsonNode status = new ObjectMapper().readTree(ingest(env, "status", "--json", "--index", "openai").out());
            assertEquals("openai", status.get("embedder").asText());
            assertEquals(1536, status.get("dimension").asInt());
            assertEquals(12, status.get("posts").asInt());
            try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
                for (String set : client.keys("openai:vectors:*")) {
                    assertEquals(1536, client.vdim(set));
                }
            }
        }
    }

    @Test
    void redisDownBeforeIngestExitsThreeInOneLine() {
        RedisServer stopped = RedisServer.start(RedisServer.findBinary().orElseThrow(), dir.resolve("down"));
        stopped.stop();

        CommandRun run = ingest(Map.of(), "--feed", SampleFeed.path().toString(), "--redis", stopped.url());

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().startsWith("ingest: cannot reach Redis at " + stopped.url() + ": "), run.err());
        assertOneLine(run);
    }

    @Test
    void aWrongPasswordExitsThreeWithoutEchoingIt() {
        try (RedisServer guarded = RedisServer.start(RedisServer.findBinary().orElseThrow(), dir.resolve("auth"),
                "--requirepass", "the-right-one")) {
            String password = "wrong-horse-battery-staple";
            CommandRun fromEnv = ingest(Map.of("REDIS_PASSWORD", password), "--feed", SampleFeed.path().toString(),
                    "--redis", guarded.url());
            assertEquals(3, fromEnv.exitCode(), fromEnv.toString());
            assertTrue(fromEnv.err().contains("refused the login"), fromEnv.err());
            assertFalse(fromEnv.toString().contains(password));
            assertOneLine(fromEnv);

            CommandRun inUrl = ingest(Map.of(), "--feed", SampleFeed.path().toString(),
                    "--redis", "redis://:" + password + "@127.0.0.1:" + guarded.port());
            assertEquals(3, inUrl.exitCode(), inUrl.toString());
            assertFalse(inUrl.toString().contains(password));

            CommandRun none = ingest(Map.of(), "--feed", SampleFeed.path().toString(), "--redis", guarded.url());
            assertEquals(3, none.exitCode(), none.toString());
            assertTrue(none.err().contains("needs a password: set REDIS_PASSWORD"), none.err());
        }
    }

    @Test
    void redisKilledMidIngestFailsClearlyAndTheNextRunCompletesWithoutPartialPosts() throws Exception {
        Path data = dir.resolve("aof");
        RedisServer durable = RedisServer.start(RedisServer.findBinary().orElseThrow(), data,
                "--appendonly", "yes", "--appendfsync", "always");
        String first = "/blog/2014/09/02/on-frequentism-and-fried-chicken/";
        String second = "/blog/2012/09/20/why-python-is-the-last/";
        String third = "/blog/2012/09/12/dynamic-programming-in-python/";
        try (FeedServer site = new FeedServer().serveSite("/sites/jakevdp/", "http://jakevdp.github.io",
                "/feeds/all.atom.xml", first, second, third)) {
            String[] args = {"--feed", site.base() + "/feeds/all.atom.xml", "--tag", "jakevdp", "--redis", durable.url()};
            // The run writes the first post, then waits on the second page while Redis dies.
            site.hold(second);
            CompletableFuture<CommandRun> run = CompletableFuture.supplyAsync(() -> ingest(Map.of(), args));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (site.hits(second) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(2000); // the first post is embedded and written meanwhile
            durable.kill();
            site.open(second);

            CommandRun failed = run.get(60, TimeUnit.SECONDS);
            System.out.println("killed mid-run: " + failed);
            assertEquals(3, failed.exitCode(), failed.toString());
            assertTrue(failed.err().contains("ingest: lost the connection to Redis at " + durable.url()), failed.err());

            durable.start(); // same port, same directory: the AOF is replayed
            long postsAfterCrash = countKeys(durable, "posts:post:*");
            assertTrue(postsAfterCrash >= 1, "the first post was written before the crash");
            assertNoPartialPosts(durable);

            // The crashed run's lock survived in the AOF, with its expiry; it frees itself when that passes.
            CommandRun tooSoon = ingest(Map.of(), args);
            assertEquals(5, tooSoon.exitCode(), tooSoon.toString());
            assertTrue(tooSoon.err().contains("is locked"), tooSoon.err());
            expireNow(durable, "posts:lock*"); // its feed's lock

            CommandRun resumed = ingest(Map.of(), args);
            System.out.println("after restart: " + resumed);
            assertEquals(0, resumed.exitCode(), resumed.toString());
            assertTrue(resumed.out().contains((3 - postsAfterCrash) + " added, 0 updated, " + postsAfterCrash + " unchanged"),
                    resumed.out());
            assertEquals(3, countKeys(durable, "posts:post:*"));
            assertNoPartialPosts(durable);
        } finally {
            durable.close();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** Checks each key expires within the locks' 60 s, then makes that time pass at once. */
    private static void expireNow(RedisServer server, String pattern) throws InterruptedException {
        try (RedisClient client = RedisClient.create(URI.create(server.url()))) {
            Set<String> keys = client.keys(pattern);
            assertFalse(keys.isEmpty(), "no key " + pattern);
            for (String key : keys) {
                long ttl = client.pttl(key);
                assertTrue(ttl > 0 && ttl <= 60_000, key + " expires in " + ttl + " ms");
                client.pexpire(key, 1);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!client.keys(pattern).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(Set.of(), client.keys(pattern), "outlived their expiry");
        }
    }

    private static long countKeys(RedisServer server, String pattern) {
        try (RedisClient client = RedisClient.create(URI.create(server.url()))) {
            return client.keys(pattern).size();
        }
    }

    /** Every post record's passages are all there, none beyond, and each is in the vector set. */
    private static void assertNoPartialPosts(RedisServer server) {
        try (RedisClient client = RedisClient.create(URI.create(server.url()))) {
            RedisIndexContents contents = RedisIndexContents.read(client, "posts", "post:");
            contents.posts().forEach((id, post) -> assertEquals(post.chunks(), post.passages(), "passages of " + id));
            assertEquals(contents.chunks(), contents.passageHashes(), "no passage without its post record");
            assertEquals(contents.chunks(), contents.vectorElements());
        }
    }

    /** Ctrl-C, or a cron timeout's SIGTERM: the feed's lock goes with the process, and the next run need not wait for it to expire. */
    @Test
    void anIngestStoppedBySignalReleasesItsFeedLock() throws Exception {
        try (FeedServer server = new FeedServer(); RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            server.serveOneHeldPost("/slow");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), IngestCommand.class.getName(),
                    "--feed", server.base() + "/feed.xml").redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
            builder.environment().put("REDIS_URL", redis.url());
            Process first = builder.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (server.hits("/slow") == 0 && first.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(1, server.hits("/slow"), "the ingest reached the page");
                assertEquals(1, client.keys("posts:lock:feed:*").size(), "it holds its feed's lock");

                first.destroy(); // SIGTERM
                assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                assertEquals(Set.of(), client.keys("posts:lock:*"), () -> "the lock left with the process; it said: "
                        + readQuietly(dir.resolve("out")));
                assertTrue(readQuietly(dir.resolve("out")).contains("ingest: stopped before the end"), readQuietly(dir.resolve("out")));
            } finally {
                first.destroyForcibly();
            }

            server.open("/slow");
            CommandRun next = ingest(Map.of("REDIS_URL", redis.url()), "--feed", server.base() + "/feed.xml");
            assertEquals(0, next.exitCode(), next.toString());
            assertTrue(next.out().contains("1 added"), next.out());
        }
    }

    /**
     * drop deletes what the index wrote and nothing else: keys someone else keeps under the same
     * prefix stay; an index that is not there is exit 3, not "dropped".
     */
    @Test
    void dropTakesOnlyTheIndexsOwnKeys() {
        Map<String, String> env = Map.of("REDIS_URL", redis.url());
        try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            client.set("post:userkey", "important");
            client.hset("post:{mine}:0", Map.of("text", "someone else's hash"));
            assertEquals(0, ingest(env, "--feed", SampleFeed.path().toString()).exitCode());
            assertEquals(0, ingest(env, "--feed", SampleFeed.path().toString(), "--index", "blog").exitCode());

            CommandRun drop = ingest(env, "drop", "--yes");
            assertEquals(0, drop.exitCode(), drop.toString());
            assertEquals("important", client.get("post:userkey"));
            assertEquals("someone else's hash", client.hget("post:{mine}:0", "text"));
            assertTrue(client.keys("posts:*").isEmpty(), "the index's records are gone: " + client.keys("posts:*"));
            assertTrue(client.keys("post:{*}:*").stream().allMatch(k -> k.equals("post:{mine}:0")), "and its passages");
            CommandRun blog = ingest(env, "status", "--index", "blog");
            assertTrue(blog.out().contains("posts:     12"), "the other index is untouched: " + blog.out());

            // The prefix an index was built with is recorded: later runs and drop use it, and
            // another one given explicitly is refused.
            assertEquals(0, ingest(env, "--feed", SampleFeed.path().toString(), "--index", "own", "--prefix", "own-passages:").exitCode());
            CommandRun other = ingest(env, "--feed", SampleFeed.path().toString(), "--index", "own", "--prefix", "x:");
            assertEquals(4, other.exitCode(), other.toString());
            assertTrue(other.err().contains("keeps its passages under 'own-passages:'"), other.err());
            assertEquals(0, ingest(env, "drop", "--yes", "--index", "own").exitCode());
            assertEquals(Set.of(), client.keys("own-passages:*"), "its passages went with it, --prefix not given");

            // A prefix read back from a meta record that something else rewrote meets the rules of --prefix.
            assertEquals(0, ingest(env, "--feed", SampleFeed.path().toString(), "--index", "damaged").exitCode());
            client.hset("damaged:meta", "prefix", "*");
            CommandRun damaged = ingest(env, "drop", "--yes", "--index", "damaged");
            assertEquals(4, damaged.exitCode(), damaged.toString());
            assertTrue(damaged.err().contains("the prefix in its meta record must be"), damaged.err());

            CommandRun missing = ingest(env, "drop", "--yes", "--index", "nothere");
            assertEquals(3, missing.exitCode(), missing.toString());
            assertTrue(missing.err().contains("has no index yet"), missing.err());
            CommandRun reindex = ingest(env, "reindex", "--index", "nothere");
            assertEquals(3, reindex.exitCode(), reindex.toString());
            CommandRun status = ingest(env, "status", "--index", "nothere");
            assertEquals(3, status.exitCode(), status.toString());
        }
    }
}

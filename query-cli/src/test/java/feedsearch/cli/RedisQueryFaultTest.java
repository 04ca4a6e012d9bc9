package feedsearch.cli;

import feedsearch.testing.CommandRun;
import feedsearch.testing.NotRedis;
import feedsearch.testing.Redis8;
import feedsearch.testing.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** query meets REDIS_URL pointing at the wrong kind of server as ingest does: one line, exit 3, in bounded time. */
@ExtendWith(Redis8.class)
class RedisQueryFaultTest {
    /** Three times the 5 s that any read of a connection's setup may take: room for a loaded machine. */
    private static final Duration BOUND = Duration.ofSeconds(15);

    private static void assertFailsInOneLine(String url, String reason) {
        QueryCommand command = new QueryCommand();
        command.env = Map.of("REDIS_URL", url);
        long start = System.nanoTime();
        CommandRun run = CommandRun.of(command, "how do I build a bot");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("took " + took.toMillis() + " ms: " + run);

        assertEquals(3, run.exitCode(), run.toString());
        assertEquals("query: cannot reach Redis at " + url + ": " + reason, run.err().strip());
        assertEquals(1, run.err().strip().lines().count(), run.toString());
        assertFalse(run.err().contains("\tat "), run.toString());
        assertTrue(took.compareTo(BOUND) < 0, "took " + took);
    }

    @Test
    void tlsToARedisWithoutTls(RedisServer redis) {
        assertFailsInOneLine("rediss://127.0.0.1:" + redis.port(), "TLS handshake failed or timed out (is TLS enabled on the server?)");
    }

    @Test
    void aWebServerOnThePort() {
        try (NotRedis web = NotRedis.http()) {
            assertFailsInOneLine(web.url(), "the server there does not speak the Redis protocol");
        }
    }

    @Test
    void aServerThatNeverAnswers() {
        try (NotRedis silent = NotRedis.silent()) {
            assertFailsInOneLine(silent.url(), "no answer within 5s (is it a Redis server?)");
        }
    }
}

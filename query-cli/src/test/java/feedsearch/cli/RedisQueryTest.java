package feedsearch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.store.StoreAccess;
import feedsearch.embed.LocalEmbedder;
import feedsearch.store.VectorStore;
import feedsearch.store.redis.RedisEndpoint;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.RedisStores;
import feedsearch.testing.CommandRun;
import feedsearch.testing.TestIngest;
import feedsearch.testing.Redis8;
import feedsearch.testing.RedisServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The query command against a real Redis 8 holding the sample feed in a vector set. */
@ExtendWith(Redis8.class)
class RedisQueryTest {
    private static Map<String, String> env;

    @BeforeAll
    static void ingestSample(RedisServer redis) {
        env = Map.of("REDIS_URL", redis.url());
        try (VectorStore store = RedisStores.open(RedisEndpoint.fromUrl(redis.url(), Map.of()), "posts", RedisOptions.DEFAULTS, StoreAccess.INGEST)) {
            TestIngest.sample(store, new LocalEmbedder());
        }
    }

    private static CommandRun query(String... args) {
        QueryCommand command = new QueryCommand();
        command.env = env;
        return CommandRun.of(command, args);
    }

    @Test
    void answersFromRedisWithTheIndexsOwnModel() throws Exception {
        CommandRun run = query("--format", "json", "-k", "3", "fixing", "a", "puncture", "on", "my", "bike");

        assertEquals(0, run.exitCode(), run.toString());
        String[] lines = run.out().strip().split("\n");
        assertEquals(3, lines.length);
        assertTrue(new ObjectMapper().readTree(lines[0]).get("url").asText().contains("roadside-flat-tyre"), lines[0]);
    }

    @Test
    void feedAndDateFiltersApply() {
        assertEquals(5, query("--format", "urls", "--feed", "sample", "gardening").out().strip().split("\n").length);
        CommandRun other = query("--feed", "another feed", "gardening");
        assertEquals(0, other.exitCode());
        assertEquals("", other.out());
        assertTrue(other.err().contains("no posts matched"), other.err());
        String recent = query("--format", "urls", "-k", "12", "--since", "2024-10-01", "gardening").out();
        assertEquals(3, recent.strip().split("\n").length, recent);
    }

    @Test
    void anIndexNeverIngestedSaysSo() {
        CommandRun run = query("--index", "never", "bots");
        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains("has no index yet: run ingest first"), run.err());
    }
}

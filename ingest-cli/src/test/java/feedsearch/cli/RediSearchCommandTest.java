package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.CommandRun;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Use Redis" steps on a Redis with the query engine: REDIS_URL set, ingest,
 * status, drop. Runs where REDISEARCH_URL names such a server (the GitHub workflow's redis:8).
 */
@EnabledIfEnvironmentVariable(named = "REDISEARCH_URL", matches = ".+",
        disabledReason = "REDISEARCH_URL is not set: no Redis with the query engine here")
class RediSearchCommandTest {
    private final Map<String, String> env = Map.of("REDIS_URL", System.getenv("REDISEARCH_URL"));
    private final String index = "fs-cli-" + UUID.randomUUID().toString().substring(0, 8);

    private CommandRun ingest(String... args) {
        IngestCommand command = new IngestCommand();
        command.env = env;
        return CommandRun.of(command, args);
    }

    @Test
    void ingestStatusAndDropWithTheQueryEngine() throws Exception {
        CommandRun run = ingest("--feed", SampleFeed.path().toString(), "--index", index);
        try {
            assertEquals(0, run.exitCode(), run.toString());
            assertTrue(run.err().contains("using search index '" + index + "'"), run.err());
            assertTrue(run.err().matches("(?s).*index: \\d+ passages, \\d+% indexed.*"), run.err());

            JsonNode status = new ObjectMapper().readTree(ingest("status", "--json", "--index", index).out());
            assertEquals("search", status.get("engine").asText());
            assertEquals(12, status.get("posts").asInt());
            assertEquals("hnsw", status.get("algorithm").asText());
        } finally {
            CommandRun drop = ingest("drop", "--yes", "--index", index);
            assertEquals(0, drop.exitCode(), drop.toString());
        }
    }
}

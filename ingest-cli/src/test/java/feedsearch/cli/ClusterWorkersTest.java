package feedsearch.cli;

import feedsearch.testing.CommandRun;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.GeneratedFeed;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisCluster8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four ingest processes at once, on disjoint feeds, into one new index on a real Redis Cluster:
 * they race to create the index, then write side by side under their own feed locks.
 */
@ExtendWith(RedisCluster8.class)
class ClusterWorkersTest {
    private static final String KEY = "sk-test";
    private static final int WORKERS = 4;
    private static final int POSTS = 40;

    @Test
    void fourWorkersOnDisjointFeedsLandEveryPostOnce(RedisCluster cluster, @TempDir Path dir) throws Exception {
        try (FakeOpenAi api = new FakeOpenAi(KEY)) {
            List<Process> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Path feed = GeneratedFeed.write(dir.resolve("feed" + w + ".xml"), POSTS, 300, "site" + w + ".example.org");
                ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), IngestCommand.class.getName(),
                        "--feed", feed.toString(), "--tag", "site" + w, "--embedder", "openai", "--store", cluster.url(),
                        "--redis-engine", "vectorset", "--quiet");
                builder.environment().put("OPENAI_BASE_URL", api.baseUrl());
                builder.environment().put("OPENAI_API_KEY", KEY);
                workers.add(builder.redirectErrorStream(true).start());
            }
            for (Process worker : workers) {
                String output = new String(worker.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(worker.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, worker.exitValue(), output);
            }
        }
        IngestStatusCommand status = new IngestStatusCommand();
        CommandRun run = CommandRun.of(status, "--store", cluster.url(), "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("\"posts\":" + WORKERS * POSTS) || run.out().contains("\"posts\" : " + WORKERS * POSTS),
                run.out());
        for (int w = 0; w < WORKERS; w++) {
            assertTrue(run.out().contains("site" + w), "feed site" + w + " recorded: " + run.out());
        }
        CommandRun text = CommandRun.of(new IngestStatusCommand(), "--store", cluster.url());
        assertTrue(text.out().contains("Redis Cluster") && text.out().contains("3 masters, 6 nodes"), text.out());
    }
}

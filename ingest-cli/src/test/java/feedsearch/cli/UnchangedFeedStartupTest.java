package feedsearch.cli;

import feedsearch.testing.CommandRun;
import feedsearch.testing.FeedServer;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A cron run over a feed that has not changed (the server answers 304) must stay cheap: it
 * loads no embedding model, and nothing of the stores or providers it does not use. Checked on
 * what the JVM really loads: the command runs in a child JVM that logs every class it loads.
 */
class UnchangedFeedStartupTest {
    /** Packages such a run has no business loading, with why. */
    private static final Map<String, String> NOT_LOADED = Map.of(
            "ai.onnxruntime.", "the ONNX runtime (the embedding model)",
            "dev.langchain4j.model.embedding.onnx.", "the local embedding model",
            "ai.djl.", "the model's tokenizer",
            "redis.clients.", "the Redis client (the store is local)",
            "retrofit2.", "Retrofit (the embedder is local)",
            "com.theokanning.", "the OpenAI client (the embedder is local)");

    @TempDir
    Path dir;

    @Test
    void unchangedFeedAnswered304LoadsNoModelNorUnusedClients() throws Exception {
        try (FeedServer server = new FeedServer()) {
            server.serve("/feed.xml", "application/rss+xml", Files.readAllBytes(SampleFeed.path()));
            String feed = server.base() + "/feed.xml";
            Path store = dir.resolve("index");

            CommandRun first = CommandRun.of(new IngestCommand(), "--feed", feed, "--store", "local", "--store-path", store.toString());
            assertEquals(0, first.exitCode(), first.toString());
            assertTrue(first.out().contains("12 added"), first.toString());

            Path classes = dir.resolve("classes.log");
            Path out = dir.resolve("out.txt");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xlog:class+load=info:file=" + classes,
                    "-cp", System.getProperty("java.class.path"),
                    IngestCommand.class.getName(),
                    "--feed", feed, "--store", "local", "--store-path", store.toString()));
            ProcessBuilder child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
            Map<String, String> env = child.environment();
            for (String name : List.of("REDIS_URL", "REDIS_HOST", "REDIS_PORT", "OPENAI_API_KEY", "OPENAI_BASE_URL", "FEEDSEARCH_CONFIG")) {
                env.remove(name);
            }
            env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
            Process process = child.start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the unchanged run did not finish in 120 s");
            }
            String printed = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), printed);
            assertTrue(printed.contains("not modified"), printed);
            assertEquals(2, server.hits("/feed.xml"), "one request per run");

            List<String> loaded = new ArrayList<>();
            for (String line : Files.readAllLines(classes, StandardCharsets.UTF_8)) {
                // [0.123s][info][class,load] name source: ...
                int start = line.indexOf("] ");
                int end = line.indexOf(' ', start + 2);
                if (start > 0 && end > start) {
                    loaded.add(line.substring(start + 2, end));
                }
            }
            assertTrue(loaded.contains(IngestCommand.class.getName()), "the class log is read: " + loaded.size() + " classes");
            assertTrue(loaded.stream().anyMatch(c -> c.startsWith("org.apache.lucene.")), "the local store was used");
            List<String> unwanted = new ArrayList<>();
            for (String c : loaded) {
                for (Map.Entry<String, String> p : NOT_LOADED.entrySet()) {
                    if (c.startsWith(p.getKey())) {
                        unwanted.add(c + " (" + p.getValue() + ")");
                    }
                }
            }
            assertTrue(unwanted.isEmpty(), "an unchanged feed loaded " + unwanted.size() + " classes it does not need, e.g. "
                    + unwanted.subList(0, Math.min(10, unwanted.size())));
        }
    }
}

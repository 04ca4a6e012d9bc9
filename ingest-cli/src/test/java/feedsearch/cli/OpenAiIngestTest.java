package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.CommandRun;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.FakeOpenAi.Reply;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ingest --embedder openai against an in-process server speaking the OpenAI API. */
class OpenAiIngestTest {
    private static final String KEY = "sk-test-key-abcdef123456";
    private final FakeOpenAi api = new FakeOpenAi(KEY);

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        api.close();
    }

    private CommandRun ingest(String key, String... args) {
        IngestCommand command = new IngestCommand();
        command.env = key == null ? Map.of("OPENAI_BASE_URL", api.baseUrl())
                : Map.of("OPENAI_BASE_URL", api.baseUrl(), "OPENAI_API_KEY", key);
        List<String> all = new ArrayList<>(List.of("--feed", SampleFeed.path().toString(), "--store-path", dir.resolve("index").toString(),
                "--embedder", "openai"));
        all.addAll(List.of(args));
        return CommandRun.of(command, all.toArray(String[]::new));
    }

    @Test
    void ingestsWithOpenAiRecordsTheModelAndReportsUsage() throws Exception {
        CommandRun run = ingest(KEY);

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("12 added"), run.out());
        assertTrue(run.err().contains("embedder openai/text-embedding-3-small"), run.err());
        // The passages of all twelve posts fit in one request.
        assertEquals(1, api.embeddingRequests().size());
        long passages = api.embeddingRequests().get(0).get("input").size();
        assertTrue(passages > 12, "passages: " + passages);
        assertTrue(run.out().contains("embedding: 1 requests, "), run.out());

        JsonNode status = new ObjectMapper().readTree(CommandRun.of(new IngestCommand(), "status", "--json", "--store-path",
                dir.resolve("index").toString()).out());
        assertEquals("openai", status.get("embedder").asText());
        assertEquals("text-embedding-3-small", status.get("model").asText());
        assertEquals(1536, status.get("dimension").asInt());
        assertEquals(passages, status.get("passages").asLong());

        api.embeddingRequests().clear();
        CommandRun again = ingest(KEY);
        assertTrue(again.out().contains("12 unchanged"), again.out());
        assertEquals(0, api.embeddingRequests().size(), "unchanged passages are never embedded again");
    }

    @Test
    void aBatchWhoseEmbeddingKeepsFailingFailsItsPostsAndTheNextRunTriesThemAgain() {
        api.thenReply(Reply.status(500, "{\"error\":{\"message\":\"overloaded\"}}"))
                .thenReply(Reply.status(503, "{\"error\":{\"message\":\"overloaded\"}}"));

        CommandRun run = ingest(KEY, "--openai-max-tries", "2");

        // All twelve posts were in the one request that failed: each is listed, none is stored.
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals(12, run.err().split("failed: https://workbench.example.org/\\S+: embedding failed.*HTTP 503", -1).length - 1, run.err());
        assertTrue(run.out().contains("0 added, 0 updated, 0 unchanged, 12 failed"), run.out());
        assertEquals(2, api.embeddingRequests().size());

        CommandRun again = ingest(KEY);
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("12 added"), again.out());
    }

    @Test
    void aRefusedKeyStopsTheRunWithExitThree() {
        CommandRun run = ingest("sk-wrong-key-555777");

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains("refused the key (HTTP 401): check OPENAI_API_KEY"), run.err());
        assertFalse(run.toString().contains("555777"));
    }

    @Test
    void withoutAKeyOrServerItSaysHowToConfigureOne() {
        IngestCommand command = new IngestCommand();
        command.env = Map.of();
        CommandRun run = CommandRun.of(command, "--feed", SampleFeed.path().toString(), "--embedder", "openai",
                "--store-path", dir.resolve("index").toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("set OPENAI_API_KEY"), run.err());
    }

    @Test
    void theJvmExitsPromptlyAfterItsLastOutput() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), IngestCommand.class.getName(),
                "--feed", SampleFeed.path().toString(), "--store-path", dir.resolve("jvm").toString(), "--embedder", "openai")
                .redirectErrorStream(true);
        builder.environment().put("OPENAI_BASE_URL", api.baseUrl());
        builder.environment().put("OPENAI_API_KEY", KEY);
        Process process = builder.start();
        process.getOutputStream().close();
        long lastOutput = System.nanoTime();
        StringBuilder output = new StringBuilder();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
                lastOutput = System.nanoTime();
            }
        }
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), output.toString());
        long lingerMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastOutput);
        assertEquals(0, process.exitValue(), output.toString());
        assertTrue(output.toString().contains("12 added"), output.toString());
        System.out.println("ingest --embedder openai exited " + lingerMillis + " ms after its last output");
        assertTrue(lingerMillis < 3000, "exited " + lingerMillis + " ms after its last output");
    }

    @Test
    void noOkHttpThreadOutlivesTheCommand() {
        assertEquals(0, ingest(KEY).exitCode());

        // main() ends with System.exit, which hides lingering threads; in process they would show.
        List<String> lingering = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !t.isDaemon() && t.getName().startsWith("OkHttp"))
                .map(Thread::getName).toList();
        assertEquals(List.of(), lingering);
    }
}

package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.embed.OpenAiEmbedder;
import feedsearch.openai.OpenAiClient;
import feedsearch.openai.OpenAiSettings;
import feedsearch.store.LocalStore;
import feedsearch.testing.CommandRun;
import feedsearch.testing.TestIngest;
import feedsearch.testing.FakeOpenAi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** query on an index built with OpenAI embeddings, and query --answer, against an in-process API server. */
class OpenAiQueryTest {
    private static final String KEY = "sk-test-query-key";
    private static final FakeOpenAi API = new FakeOpenAi(KEY);
    @TempDir
    static Path dir;

    @BeforeAll
    static void ingestSampleWithOpenAi() {
        OpenAiSettings settings = new OpenAiSettings(API.baseUrl(), KEY, Duration.ofSeconds(5), Duration.ofSeconds(30), 3);
        try (LocalStore store = LocalStore.openForWriting(dir.resolve("index"));
             OpenAiEmbedder embedder = new OpenAiEmbedder(new OpenAiClient(settings, d -> { }), null)) {
            TestIngest.sample(store, embedder);
        }
    }

    @AfterAll
    static void stop() {
        API.close();
    }

    private static CommandRun query(Map<String, String> env, String... args) {
        QueryCommand command = new QueryCommand();
        command.env = env;
        List<String> all = new ArrayList<>(List.of("--store-path", dir.resolve("index").toString()));
        all.addAll(List.of(args));
        return CommandRun.of(command, all.toArray(String[]::new));
    }

    private static Map<String, String> configured() {
        return Map.of("OPENAI_BASE_URL", API.baseUrl(), "OPENAI_API_KEY", KEY);
    }

    @Test
    void aQueryWithoutFlagsUsesTheIndexsOpenAiModel() {
        API.embeddingRequests().clear();
        CommandRun run = query(configured(), "--format", "urls", "-k", "1", "cheap train trip from Tokyo to Kyoto");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("japan-rail-budget"), run.out());
        assertEquals(1, API.embeddingRequests().size());
        assertEquals("text-embedding-3-small", API.embeddingRequests().get(0).get("model").asText());
    }

    @Test
    void theLocalEmbedderAgainstThisIndexExitsFourWithTheFix() {
        CommandRun run = query(configured(), "--embedder", "local", "trains");

        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.err().contains("holds openai/text-embedding-3-small vectors (1536 dimensions)"), run.err());
        assertTrue(run.err().contains("--embedder openai --model text-embedding-3-small"), run.err());
    }

    @Test
    void answerPrintsTheServedAnswerThenItsSources() {
        API.answering("Rely on regional rail passes and local trains [1].");
        API.chatRequests().clear();
        CommandRun run = query(configured(), "--answer", "-k", "3", "--chat-model", "gpt-test", "how do I travel Japan by train cheaply?");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().startsWith("Rely on regional rail passes and local trains [1].\n\nSources:\n[1] Travelling across Japan"),
                run.out());
        JsonNode request = API.chatRequests().get(0);
        assertEquals("gpt-test", request.get("model").asText());
        assertEquals("system", request.get("messages").get(0).get("role").asText());
        assertTrue(request.get("messages").get(0).get("content").asText().contains("using only the numbered posts"));
        String user = request.get("messages").get(1).get("content").asText();
        assertTrue(user.contains("[1] Travelling across Japan by rail on a budget (https://workbench.example.org/2025/01/japan-rail-budget/)"),
                user);
        assertTrue(user.endsWith("Question: how do I travel Japan by train cheaply?"), user);
    }

    @Test
    void answerAsJsonIsOneObjectWithAnswerAndSources() throws Exception {
        API.answering("Feed the starter daily [1].");
        CommandRun run = query(configured(), "--answer", "--format", "json", "-k", "2", "keeping a sourdough starter alive");

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, run.out().strip().lines().count());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("Feed the starter daily [1].", json.get("answer").asText());
        assertEquals(2, json.get("sources").size());
        assertTrue(json.get("sources").get(0).get("url").asText().contains("sourdough"), run.out());
    }

    @Test
    void withoutAChatEndpointAnswerSaysHowToConfigureOne() {
        CommandRun run = query(Map.of(), "--answer", "bread");

        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("--answer needs an OpenAI-compatible API: set OPENAI_API_KEY"), run.err());
    }
}

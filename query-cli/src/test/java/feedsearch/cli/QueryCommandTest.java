package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.SampleFeed;
import feedsearch.testing.CommandRun;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueryCommandTest {
    @TempDir
    static Path dir;
    private static String store;

    @BeforeAll
    static void ingestSample() {
        store = TestIngest.sampleLocalStore(dir.resolve("index"));
    }

    private static CommandRun query(String... args) {
        return CommandRun.inStore(new QueryCommand(), store, args);
    }

    /** Mistakes picocli finds are told as ours are: one clean line and where to look, not 110 lines of help. */
    @Test
    void argumentMistakesAreOneLineAndAPointerToHelp() {
        for (String[] args : List.of(new String[] {"-k", "\u001b]0;pwned\u0007\u001b[2J", "bees"},
                new String[] {"--bogus", "bees"}, new String[] {"bees", "--mode"})) {
            CommandRun run = query(args);
            assertEquals(2, run.exitCode(), run.toString());
            List<String> lines = run.err().strip().lines().toList();
            assertEquals(2, lines.size(), run.err());
            assertTrue(lines.get(0).startsWith("query: "), run.err());
            assertEquals("Try 'query --help' for the options and examples.", lines.get(1));
            assertFalse(run.err().chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r'), "no control characters: " + run.err());
            assertEquals("", run.out());
        }
    }

    @Test
    void jsonFormatIsOneParseableObjectPerLineWithStableFields() throws Exception {
        CommandRun run = query("--format", "json", "-k", "4", "how", "do", "I", "build", "a", "bot");

        assertEquals(0, run.exitCode(), run.toString());
        String[] lines = run.out().strip().split("\n");
        assertEquals(4, lines.length);
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < lines.length; i++) {
            JsonNode hit = mapper.readTree(lines[i]);
            List<String> fields = new java.util.ArrayList<>();
            hit.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("rank", "score", "title", "url", "published", "feed", "snippet", "vector_rank", "text_rank"), fields);
            assertEquals(i + 1, hit.get("rank").asInt());
            assertTrue(hit.get("score").isNumber());
            assertEquals("sample", hit.get("feed").asText());
            Instant.parse(hit.get("published").asText());
            assertFalse(hit.get("snippet").asText().isBlank());
        }
        assertTrue(mapper.readTree(lines[0]).get("url").asText().contains("team-chat-bot"), lines[0]);
    }

    @Test
    void tableAndUrlFormats() {
        CommandRun table = query("sourdough starter", "--snippet");
        assertEquals(0, table.exitCode(), table.toString());
        assertTrue(table.out().startsWith(" 1  0."), table.out());
        assertTrue(table.out().contains("Sourdough from scratch"), table.out());
        assertEquals(5, table.out().lines().filter(l -> l.matches("^\\s?\\d+ {2}.*")).count(), table.out());

        CommandRun urls = query("--format", "urls", "-k", "2", "bike puncture");
        assertEquals(2, urls.out().strip().split("\n").length);
        assertTrue(urls.out().startsWith("https://workbench.example.org/2024/03/roadside-flat-tyre/"), urls.out());
    }

    @Test
    void anotherModelThanTheIndexHoldsExitsFourWithTheFix() {
        CommandRun run = query("--model", "text-embedding-3-small", "bots");

        assertEquals(4, run.exitCode(), run.toString());
        assertTrue(run.err().contains("--embedder local --model all-minilm-l6-v2-q"), run.err());
    }

    @Test
    void noIndexExitsThreeAndUsageMistakesExitTwo() {
        CommandRun none = CommandRun.of(new QueryCommand(), "--store-path", dir.resolve("nothing").toString(), "bots");
        assertEquals(3, none.exitCode());
        assertTrue(none.err().contains("run ingest first"), none.err());

        assertEquals(2, query().exitCode());
        assertEquals(2, query("-k", "0", "bots").exitCode());
        assertEquals(2, query("--format", "xml", "bots").exitCode());
        CommandRun help = CommandRun.of(new QueryCommand(), "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Examples:"), help.out());
    }

    @Test
    void evalMeasuresTheRankingOnLabeledQuestions() throws Exception {
        Path questions = SampleFeed.questions();

        CommandRun table = query("--eval", questions.toString());
        assertEquals(0, table.exitCode(), table.toString());
        System.out.println(table.out());
        assertTrue(table.out().startsWith("questions: 12 (hybrid ranking)\nhit@1:     "), table.out());

        CommandRun json = query("--eval", questions.toString(), "--mode", "vector", "--format", "json");
        assertEquals(0, json.exitCode(), json.toString());
        JsonNode figures = new ObjectMapper().readTree(json.out());
        assertEquals(12, figures.get("questions").asInt());
        assertEquals("vector", figures.get("mode").asText());
        double hit1 = figures.get("hit_at_1").asDouble();
        double hit5 = figures.get("hit_at_5").asDouble();
        double mrr = figures.get("mrr_at_10").asDouble();
        assertTrue(hit1 <= hit5 && hit1 <= mrr && mrr <= hit5 + 1e-9 && hit5 <= 1, json.out());
        assertTrue(hit5 >= 0.9, "the sample's questions are easy: " + json.out());
        assertEquals(Math.round(12 * (1 - hit5)), figures.get("misses").size());

        assertEquals(2, query("--eval", questions.toString(), "bees").exitCode(), "a question and --eval together");
        assertEquals(2, query("--eval", dir.resolve("missing.tsv").toString()).exitCode());
    }

    /**
     * Questions with nothing to search for (control or zero-width characters, lone accents, what a
     * decoder leaves of bad bytes) are a usage mistake, as a blank one is: the local model refuses them.
     */
    @Test
    void questionsOfInvisibleCharactersAreEmpty() throws Exception {
        for (String invisible : List.of("\u0001\u0002", "\u200b", "\ufeff \u200b", "\u0301", "\ufffd\ufffd", "\u0301 \ue000")) {
            CommandRun run = query(invisible);
            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("the question is empty"), run.toString());
        }
        Path lines = dir.resolve("invisible.txt");
        Files.writeString(lines, "\u200b\n\u0301\nbees\n");
        CommandRun batch = query("--batch", lines.toString());
        assertEquals(1, batch.exitCode(), batch.toString());
        assertEquals(2, batch.out().lines().filter(l -> l.contains("\"error\":\"the question is empty\"")).count(), batch.out());
        assertEquals(3, batch.out().lines().count(), "the batch goes on: " + batch.out());
    }

    /**
     * A mistake found before the model finished loading ends the JVM while onnxruntime builds its
     * session on the loading thread: it must exit 2, not abort (exit 134). A JVM of its own, as
     * users run it, since only a real exit shows it.
     */
    @Test
    void aMistakeWhileTheModelLoadsExitsTwoNotACrash() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.tsv"), "");
        Path zeros = Files.write(dir.resolve("zeros.tsv"), new byte[64]);
        for (Path eval : List.of(empty, zeros)) {
            Process query = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), QueryCommand.class.getName(),
                    "--store-path", store, "--eval", eval.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).directory(dir.toFile()).start();
            assertTrue(query.waitFor(60, TimeUnit.SECONDS));
            String said = Files.readString(dir.resolve("out.txt"));
            assertEquals(2, query.exitValue(), said);
            assertFalse(said.contains("A fatal error"), said);
        }
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("hs_err_pid")), "no crash log");
        }
    }
}

package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.SampleFeed;
import feedsearch.testing.CommandRun;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** query --batch: many questions, one JVM, one JSON line each, in order. */
class QueryBatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HIT_FIELDS =
            List.of("rank", "score", "title", "url", "published", "feed", "snippet", "vector_rank", "text_rank");

    @TempDir
    static Path dir;
    private static String store;

    @BeforeAll
    static void ingestSample() {
        store = TestIngest.sampleLocalStore(dir.resolve("index"));
    }

    private static CommandRun query(String stdin, String... args) {
        QueryCommand command = new QueryCommand();
        if (stdin != null) {
            command.stdin = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        }
        return CommandRun.inStore(command, store, args);
    }

    private static List<JsonNode> lines(CommandRun run) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /** The URL of the first post a single query ranks for this question. */
    private static JsonNode single(String question, String... options) throws Exception {
        String[] args = new String[options.length + 3];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = "--format";
        args[options.length + 1] = "json";
        args[options.length + 2] = question;
        CommandRun run = query(null, args);
        assertEquals(0, run.exitCode(), run.toString());
        return JSON.readTree("[" + String.join(",", run.out().strip().split("\n")) + "]");
    }

    @Test
    void fileGivesOneJsonLinePerQuestionInOrderRankedLikeASingleQuery() throws Exception {
        List<String> questions = List.of("how do I build a bot", "sourdough starter", "bike puncture",
                "what to expect from bees in the first winter", "why does my coffee taste sour");
        Path file = dir.resolve("questions.txt");
        Files.write(file, questions);

        CommandRun run = query(null, "--batch", file.toString(), "-k", "3");

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("", run.err());
        List<JsonNode> lines = lines(run);
        assertEquals(questions.size(), lines.size(), run.out());
        for (int i = 0; i < questions.size(); i++) {
            JsonNode line = lines.get(i);
            List<String> fields = new ArrayList<>();
            line.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("question", "hits"), fields);
            assertEquals(questions.get(i), line.get("question").asText());
            JsonNode hits = line.get("hits");
            assertEquals(3, hits.size(), line.toString());
            for (int r = 0; r < hits.size(); r++) {
                JsonNode hit = hits.get(r);
                List<String> hitFields = new ArrayList<>();
                hit.fieldNames().forEachRemaining(hitFields::add);
                assertEquals(HIT_FIELDS, hitFields);
                assertEquals(r + 1, hit.get("rank").asInt());
                assertTrue(hit.get("score").isNumber());
                assertEquals("sample", hit.get("feed").asText());
                Instant.parse(hit.get("published").asText());
                assertFalse(hit.get("snippet").asText().isBlank());
            }
            // The same ranking as a single query of the same question, with the same options.
            assertEquals(single(questions.get(i), "-k", "3"), hits, questions.get(i));
        }
        assertTrue(lines.get(0).get("hits").get(0).get("url").asText().contains("team-chat-bot"), run.out());
        assertTrue(lines.get(2).get("hits").get(0).get("url").asText().contains("roadside-flat-tyre"), run.out());
    }

    @Test
    void blankAndCommentLinesAreSkippedAndQuestionsAreEchoedStripped() throws Exception {
        Path file = dir.resolve("commented.txt");
        Files.writeString(file, "# questions for the sample\n\n   \n  sourdough starter  \r\n\t\n  # indented comment\nbike puncture");

        CommandRun run = query(null, "--batch", file.toString());

        assertEquals(0, run.exitCode(), run.toString());
        List<JsonNode> lines = lines(run);
        assertEquals(2, lines.size(), run.out());
        assertEquals("sourdough starter", lines.get(0).get("question").asText());
        assertEquals("bike puncture", lines.get(1).get("question").asText(), "a last line without a newline counts");
        assertEquals(5, lines.get(0).get("hits").size(), "-k defaults to 5");
    }

    @Test
    void standardInputWithDashAndAllQueryOptionsApply() throws Exception {
        String since = "2024-06-01";
        CommandRun run = query("bees\nbike repair\nhow do I build a bot\n", "--batch", "-", "-k", "2",
                "--since", since, "--mode", "vector", "--feed", "sample", "--min-score", "0.05");

        assertEquals(0, run.exitCode(), run.toString());
        List<JsonNode> lines = lines(run);
        assertEquals(List.of("bees", "bike repair", "how do I build a bot"),
                lines.stream().map(l -> l.get("question").asText()).toList());
        for (JsonNode line : lines) {
            assertTrue(line.get("hits").size() <= 2, line.toString());
            for (JsonNode hit : line.get("hits")) {
                assertFalse(Instant.parse(hit.get("published").asText()).isBefore(Instant.parse(since + "T00:00:00Z")), hit.toString());
                assertTrue(hit.get("score").asDouble() >= 0.05, hit.toString());
                assertTrue(hit.get("text_rank").isNull(), "vector mode: " + hit);
            }
            assertEquals(single(line.get("question").asText(), "-k", "2", "--since", since, "--mode", "vector",
                    "--feed", "sample", "--min-score", "0.05"), line.get("hits"));
        }

        CommandRun otherFeed = query("bees\n", "--batch", "-", "--feed", "no-such-feed");
        assertEquals(0, otherFeed.exitCode(), otherFeed.toString());
        assertEquals("{\"question\":\"bees\",\"hits\":[]}", otherFeed.out().strip());

        CommandRun empty = query("# nothing to ask\n\n", "--batch", "-");
        assertEquals(0, empty.exitCode(), empty.toString());
        assertEquals("", empty.out());
    }

    @Test
    void anOverlongLineFailsAloneAndTheBatchGoesOn() throws Exception {
        String huge = "bees ".repeat(20_000); // 100,000 characters on one line
        CommandRun run = query("sourdough starter\n" + huge + "\nbike puncture\n", "--batch", "-");

        assertEquals(1, run.exitCode(), run.toString());
        List<JsonNode> lines = lines(run);
        assertEquals(3, lines.size());
        assertEquals("sourdough starter", lines.get(0).get("question").asText());
        assertTrue(lines.get(1).get("error").asText().contains("longer than"), lines.get(1).toString());
        assertEquals(0, lines.get(1).get("hits").size());
        assertEquals("bike puncture", lines.get(2).get("question").asText());
        assertEquals(5, lines.get(2).get("hits").size());
        assertTrue(run.err().contains("standard input line 2: longer than"), run.err());
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path file = dir.resolve("usage.txt");
        Files.writeString(file, "bees\n");
        Path labeled = SampleFeed.questions();

        CommandRun withQuestion = query(null, "--batch", file.toString(), "bees");
        assertEquals(2, withQuestion.exitCode(), withQuestion.toString());
        assertTrue(withQuestion.err().contains("give no question"), withQuestion.err());
        assertEquals(2, query("bees", "--batch", "-", "bike").exitCode(), "a question and --batch -");
        assertEquals(2, query(null, "--batch", file.toString(), "--eval", labeled.toString()).exitCode());
        CommandRun withAnswer = query(null, "--batch", file.toString(), "--answer");
        assertEquals(2, withAnswer.exitCode(), withAnswer.toString());
        assertTrue(withAnswer.err().contains("--answer"), withAnswer.err());
        assertEquals(2, query(null, "--batch", file.toString(), "--format", "table").exitCode());
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'b', 'e', 'e', 's', '\n', (byte) 0xe9, 't', (byte) 0xe9, '\n'});
        CommandRun notUtf8 = query(null, "--batch", latin1.toString());
        assertEquals(2, notUtf8.exitCode(), notUtf8.toString());
        assertTrue(notUtf8.err().contains("latin1.txt is not UTF-8 text"), notUtf8.err());
        CommandRun missing = query(null, "--batch", dir.resolve("missing.txt").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().strip().endsWith("missing.txt: no such file"), missing.err());
        assertEquals(2, query(null, "--batch", file.toString(), "-k", "0").exitCode());
        assertEquals(2, query(null, "--batch").exitCode(), "--batch needs FILE or -");
        for (CommandRun run : List.of(withQuestion, withAnswer)) {
            assertEquals("", run.out());
        }

        CommandRun json = query(null, "--batch", file.toString(), "--format", "json");
        assertEquals(0, json.exitCode(), json.toString());
        CommandRun help = CommandRun.of(new QueryCommand(), "--help");
        assertTrue(help.out().contains("--batch=FILE"), help.out());
        assertTrue(help.out().contains("query --batch -"), help.out());
    }

    @Test
    void noStoreStillExitsThree() {
        QueryCommand command = new QueryCommand();
        command.stdin = new ByteArrayInputStream("bees\n".getBytes(StandardCharsets.UTF_8));
        CommandRun run = CommandRun.of(command, "--store-path", dir.resolve("nothing").toString(), "--batch", "-");
        assertEquals(3, run.exitCode(), run.toString());
        assertEquals("", run.out());
    }
}

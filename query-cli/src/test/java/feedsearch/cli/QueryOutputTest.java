package feedsearch.cli;

import feedsearch.embed.LocalEmbedder;
import feedsearch.store.LocalStore;
import feedsearch.store.PostRecord;
import feedsearch.store.StoredPassage;
import feedsearch.testing.CommandRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The table shows what an index holds, and an index may hold anything: one written by another
 * tool or an older release, or a title that came from a hostile page. Its lines stay lines.
 */
class QueryOutputTest {
    private static final String TEXT = "Building a chat bot for your team takes an afternoon with a webhook and a little code.";
    private static final String EVIL_TITLE = "\u001b]0;pwned\u0007\u001b[31mRed\nsecond line\r\u202ereversed " + "long ".repeat(20_000);

    @TempDir
    static Path dir;
    private static String store;

    @BeforeAll
    static void storeAPostWithAHostileTitle() {
        Path index = dir.resolve("index");
        store = index.toString();
        try (LocalStore local = LocalStore.openForWriting(index); LocalEmbedder embedder = new LocalEmbedder()) {
            local.prepare(embedder.name(), embedder.modelId(), embedder.dimension());
            float[] vector = embedder.embed(List.of(TEXT)).get(0);
            local.replacePost(new PostRecord("0123456789abcdef", "https://x.example/bot", EVIL_TITLE, "evil",
                    Instant.parse("2024-01-08T00:00:00Z"), "hash", 1, Instant.now()), List.of(new StoredPassage(0, TEXT, vector)));
        }
    }

    private static CommandRun query(String... args) {
        return CommandRun.inStore(new QueryCommand(), store, args);
    }

    @Test
    void theTableHasNoControlCharactersAndOneLinePerField() {
        CommandRun run = query("--snippet", "how do I build a bot");

        assertEquals(0, run.exitCode(), run.toString());
        String[] lines = run.out().split("\n", -1);
        assertEquals(4, lines.length, "rank line, URL line, snippet line, end: " + run.out());
        assertTrue(lines[0].startsWith(" 1  0."), lines[0]);
        assertTrue(lines[0].contains("2024-01-08  ]0;pwned[31mRed second line reversed long long"), lines[0]);
        assertTrue(lines[0].length() < 160, "a 100 KB title is cut: " + lines[0].length());
        assertEquals("      https://x.example/bot", lines[1]);
        assertFalse(run.out().chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f || c == 0x202e), "no control characters");
    }

    @Test
    void jsonKeepsTheTitleWholeAndEscaped() {
        CommandRun run = query("--format", "json", "how do I build a bot");

        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, run.out().strip().split("\n").length);
        assertTrue(run.out().contains("\"title\":\"\\u001B]0;pwned\\u0007\\u001B[31mRed\\nsecond line\\r"), run.out().substring(0, 200));
    }

    @Test
    void minScoreOutsideMinusOneToOneIsAUsageError() {
        for (String bad : new String[]{"5", "NaN", "-1.5", "Infinity"}) {
            CommandRun run = query("--min-score", bad, "bees");
            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().startsWith("query: --min-score takes a number from -1 to 1"), run.err());
        }
        assertEquals(0, query("--min-score", "0.1", "bot").exitCode());
    }
}

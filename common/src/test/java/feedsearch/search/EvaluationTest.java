package feedsearch.search;

import feedsearch.FeedsearchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EvaluationTest {
    @TempDir
    Path dir;

    private static Hit hit(int rank, String url) {
        return new Hit(rank, 0.5, "t", url, null, "f", "p", rank, 0);
    }

    @Test
    void figuresCountTheFirstRelevantPostByPath() throws Exception {
        Path file = dir.resolve("q.tsv");
        Files.writeString(file, """
                # question<TAB>relevant posts (a path without its leading slash is a path all the same)
                first\t/blog/a/
                third\thttps://elsewhere.example/blog/c/index.html
                either\t/blog/x/ blog/b

                missing\t/blog/zzz/
                """);
        List<LabeledQuestion> questions = LabeledQuestion.read(file);
        assertEquals(4, questions.size());

        List<Hit> ranking = List.of(hit(1, "http://127.0.0.1:9/blog/a/"), hit(2, "http://127.0.0.1:9/blog/b/"),
                hit(3, "http://127.0.0.1:9/blog/c/"), hit(4, "http://127.0.0.1:9/blog/d/"), hit(5, "http://127.0.0.1:9/blog/e/"),
                hit(6, "http://127.0.0.1:9/blog/f/"));
        Map<String, List<Hit>> answers = Map.of("first", ranking, "third", ranking, "either", ranking, "missing", ranking);
        Evaluation e = Evaluation.of(questions, answers::get);

        assertEquals(4, e.questions());
        assertEquals(0.25, e.hitAt1());
        assertEquals(0.75, e.hitAt5());
        assertEquals((1 + 1.0 / 3 + 1.0 / 2) / 4, e.mrrAt10(), 1e-9);
        assertEquals(List.of(new Evaluation.Miss("missing", 0)), e.misses());
    }

    @Test
    void aMalformedFileIsAUsageError() throws Exception {
        Path file = dir.resolve("bad.tsv");
        Files.writeString(file, "a question without its posts\n");
        FeedsearchException e = assertThrows(FeedsearchException.class, () -> LabeledQuestion.read(file));
        assertEquals(file + " line 1: expected a question, a TAB, then the relevant posts' URLs or paths", e.getMessage());
        assertThrows(FeedsearchException.class, () -> LabeledQuestion.read(dir.resolve("none.tsv")));
    }
}

package feedsearch.chunk;

import feedsearch.embed.LocalEmbedder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkerTest {
    private final LocalEmbedder model = new LocalEmbedder();

    @Test
    void passagesFitTheModelOverlapAndCoverEveryWord() {
        StringBuilder text = new StringBuilder();
        for (int p = 0; p < 12; p++) {
            for (int s = 0; s < 8; s++) {
                text.append("Paragraph ").append(p).append(" sentence ").append(s)
                        .append(" talks about tokenization, embeddings and vectors. ");
            }
            text.append("\n\n");
        }
        List<Passage> passages = new Chunker(100, 20, model::countTokens).split(text.toString());

        assertTrue(passages.size() > 5, "passages: " + passages.size());
        for (Passage p : passages) {
            assertTrue(model.countTokens(p.text()) <= 100, p.text());
        }
        for (int i = 0; i < passages.size(); i++) {
            assertEquals(i, passages.get(i).index());
        }
        Set<String> covered = new HashSet<>();
        passages.forEach(p -> covered.addAll(Arrays.asList(p.text().split("\\s+"))));
        assertTrue(covered.containsAll(Arrays.asList(text.toString().strip().split("\\s+"))));
        // Overlap: the end of one passage opens the next.
        String firstEnd = passages.get(0).text().substring(passages.get(0).text().length() - 20);
        assertTrue(passages.get(1).text().contains(firstEnd.strip()), passages.get(1).text());
    }

    @Test
    void textWithoutSpacesIsStillCutToSize() {
        // An inlined image, as notebook-style posts carry: thousands of tokens and not one space.
        String blob = "data:image/png;base64,iVBORw0KGgo+AAAANSUhEUgAAAAEAAAAB/CAYAAAAfFcSJ=".repeat(100);
        List<Passage> passages = new Chunker(100, 10, model::countTokens).split(blob);

        assertTrue(passages.size() > 1);
        passages.forEach(p -> assertTrue(model.countTokens(p.text()) <= 100));
    }

    @Test
    void shortAndBlankTexts() {
        assertEquals(List.of(new Passage(0, "Just one line.")), new Chunker(100, 10, model::countTokens).split("Just one line."));
        assertEquals(List.of(), new Chunker(100, 10, model::countTokens).split("  \n "));
        assertEquals(List.of(), new Chunker(100, 10, model::countTokens).split("\u200b\ufffd\u0301 \n\ue000"));
    }

    /**
     * A paragraph of nothing the model can read (what a decoder made of bad bytes) makes no
     * passage: the model would refuse it. The local model counts such characters as no tokens,
     * so they ride along with their neighbours; counted by length here, they fill passages alone.
     */
    @Test
    void blankParagraphsAreNoPassages() {
        String text = "A first paragraph of words.\n\n" + "\ufffd".repeat(2000) + "\n\nA last paragraph of words.";
        List<Passage> passages = new Chunker(100, 5, String::length).split(text);
        assertTrue(passages.size() <= 3, passages.size() + " passages");
        assertTrue(passages.get(0).text().startsWith("A first paragraph"), passages.get(0).text());
        assertTrue(passages.get(passages.size() - 1).text().endsWith("A last paragraph of words."));
        for (int i = 0; i < passages.size(); i++) {
            assertEquals(i, passages.get(i).index());
            assertTrue(passages.get(i).text().chars().anyMatch(Character::isLetter), passages.get(i).text());
        }
    }
}

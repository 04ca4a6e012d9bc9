package feedsearch.embed;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LocalEmbedderTest {

    private static final List<String> TEXTS = List.of(
            "Python for data science",
            "Frequentism and Bayesianism\n\nThe difference between the two is a matter of what probability means.",
            "A longer passage about numpy arrays, broadcasting rules and vectorized operations, which "
                    + "make loops over elements unnecessary in most numerical code. ".repeat(6),
            "x",
            "Don't re-use it: e.g. numpy.ndarray's __array__() (see https://example.org/a?b=c&d=e#f), 3.14159!",
            "Café naïve résumé, 数据科学 and データ, emoji 🙂, the [SEP] token and [UNK]",
            // Beyond the tokenizer's 128 ids: cut there, as for langchain4j's model.
            "Each of these sentences about kernel density estimation adds a dozen tokens or so. ".repeat(60));

    /**
     * Tokenized once and run on a session with our thread settings, texts must get the vectors of
     * langchain4j's own model, in order, a text longer than the tokenizer's cut included.
     */
    @Test
    void vectorsAreThoseOfLangchain4jsModel() {
        List<float[]> ours = new LocalEmbedder().embed(TEXTS);
        AllMiniLmL6V2QuantizedEmbeddingModel reference = new AllMiniLmL6V2QuantizedEmbeddingModel();
        assertEquals(TEXTS.size(), ours.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] expected = reference.embed(TextSegment.from(TEXTS.get(i))).content().vector();
            float[] actual = ours.get(i);
            assertEquals(384, actual.length);
            for (int d = 0; d < expected.length; d++) {
                assertEquals(expected[d], actual[d], 1e-5f, "text " + i + ", dimension " + d);
            }
        }
    }

    /** A text with no token to embed is refused as langchain4j refuses it, alone or among others. */
    @Test
    void textsWithoutTokensAreRefusedAsLangchain4jRefusesThem() {
        String accentOnly = "\u0301\u0000";
        IllegalArgumentException expected = assertThrows(IllegalArgumentException.class,
                () -> new AllMiniLmL6V2QuantizedEmbeddingModel().embed(TextSegment.from(accentOnly)));
        IllegalArgumentException alone = assertThrows(IllegalArgumentException.class, () -> new LocalEmbedder().embed(List.of(accentOnly)));
        IllegalArgumentException among = assertThrows(IllegalArgumentException.class, () -> new LocalEmbedder().embed(List.of("x", accentOnly)));
        assertEquals(expected.getMessage(), alone.getMessage());
        assertEquals(expected.getMessage(), among.getMessage());
        assertEquals(expected.getMessage(),
                assertThrows(IllegalArgumentException.class, () -> new LocalEmbedder().embed(List.of(" \n "))).getMessage());
    }

    @Test
    void oneTextAsInABatch() {
        float[] alone = new LocalEmbedder().embed(List.of(TEXTS.get(1))).get(0);
        float[] inBatch = new LocalEmbedder().embed(TEXTS).get(1);
        for (int d = 0; d < alone.length; d++) {
            assertEquals(inBatch[d], alone[d], 1e-5f);
        }
    }

    /** Counted word by word (and remembered), a text must count exactly what the tokenizer makes of it whole. */
    @Test
    void tokenCountsAreTheTokenizersOwn() {
        HuggingFaceTokenCountEstimator whole = new HuggingFaceTokenCountEstimator();
        List<String> texts = new java.util.ArrayList<>(TEXTS);
        texts.addAll(List.of(
                "",
                "  \n\t ",
                "Don't re-use it: e.g. numpy.ndarray's __array__() (see https://example.org/a?b=c&d=e#f), 3.14159!",
                "Café naïve résumé Ærøskøbing ÉCOLE",
                "数据科学 and データ mixed with words",
                "non\u00a0breaking\u2009thin\u3000ideographic spaces",
                "emoji 🙂 and symbols ∑∫≤ ← → ™",
                "control\u0000chars\u0007and\ufffdreplacement",
                "pneumonoultramicroscopicsilicovolcanoconiosis".repeat(4),
                "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB/CAYAAAAfFcSJ=".repeat(40),
                "tabs\tand\r\nwindows\rlines\n\n\nparagraphs   spaces",
                // Punctuation is a word of its own to BERT: counted apart, however it sticks to words.
                "x[i]=y.z(a,b); a->b !== c... --flag=\"value\" $HOME/.bashrc #include <stdio.h> `code`_x_ 1,000.5%",
                "“Quoted”, ‘single’ — dash… ¿qué? «guillemets» x.\u0301y ,\u0301 (\u00e9t\u00e9)",
                "[SEP], .[CLS]. ([MASK]) a.[SEP].b [[SEP]] [SEP[SEP]] ...[UNK]...",
                // Special tokens written out in a text count as the tokenizer counts them there.
                "the [SEP] token, [CLS] and [MASK], x[SEP]y, [sep] [UNK] [ bracketed] words"));
        LocalEmbedder local = new LocalEmbedder();
        for (int round = 0; round < 2; round++) {
            for (String text : texts) {
                assertEquals(whole.estimateTokenCountInText(text), local.countTokens(text), text);
            }
        }
    }
}

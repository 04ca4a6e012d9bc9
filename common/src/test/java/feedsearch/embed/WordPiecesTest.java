package feedsearch.embed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pieced together word by word, a text's ids must be exactly what the model's tokenizer makes of
 * the whole text with its own settings (the file's cut at 128 ids), or every vector would drift.
 */
class WordPiecesTest {
    private static final int MAX_PIECES = 126;
    private static byte[] vocabulary;
    /** The tokenizer as the model's file sets it up, padding aside: how the model's texts were tokenized before. */
    private static HuggingFaceTokenizer whole;

    @BeforeAll
    static void tokenizer() throws IOException {
        try (InputStream in = WordPiecesTest.class.getClassLoader().getResourceAsStream(LocalEmbedder.TOKENIZER_FILE)) {
            vocabulary = in.readAllBytes();
        }
        whole = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(vocabulary), Map.of("padding", "false"));
    }

    @Test
    void theTextOfRealPagesInWindowsOfAnySize() throws IOException {
        WordPieces pieces = new WordPieces(vocabulary);
        Random random = new Random(11);
        int texts = 0;
        for (String page : List.of("on-frequentism-and-fried-chicken", "why-python-is-the-last", "dynamic-programming-in-python")) {
            String text = pageText(page);
            for (int at = 0; at < text.length(); at += 1 + random.nextInt(400)) {
                String window = text.substring(at, Math.min(text.length(), at + 1 + random.nextInt(1200)));
                assertSameIds(pieces, window);
                texts++;
            }
        }
        assertEquals(true, texts > 100, "windows checked: " + texts);
    }

    /** Seeded random texts of words, punctuation, spacing, other scripts, emoji, special tokens and broken characters: ids and counts. */
    @Test
    void randomTextsOfAwkwardCharacters() {
        String[] parts = {"model", "Model", "data", "x", "42", "3.14", "e.g.", "don't", "re-use", "a_b", "__init__",
                "(", ")", "[", "]", "{", "}", ",", ".", ";", ":", "!", "?", "'", "\"", "-", "/", "\\", "#", "$", "%", "&",
                "*", "+", "=", "<", ">", "@", "^", "`", "|", "~", "é", "naïve", "ÉCOLE", "Ærø", "数据科学", "データ", "한국어",
                "🙂", "👩‍💻", "—", "…", "«", "»", "“", "”", "¿", "\u0301", "e\u0301", "\u00a0", "\u2009", "\u3000", "\u200b",
                "\u200d", "\ufeff", "\u0000", "\u0007", "\ufffd", "\t", "\n", "\r\n", " ", "  ", "[SEP]", "[CLS]", "[MASK]",
                "[UNK]", "[PAD]", "[sep]", "[SEP", "SEP]", "İstanbul", "ß", "ﬁ", "Ⅻ", "x²", "½", "ǅ",
                "pneumonoultramicroscopicsilicovolcanoconiosis".repeat(3), "a".repeat(101), "數".repeat(150),
                "\uD800", "\uDC00", "\uD83D", "𠀀"};
        WordPieces pieces = new WordPieces(vocabulary);
        HuggingFaceTokenCountEstimator counter = new HuggingFaceTokenCountEstimator();
        Random random = new Random(20261127);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(40); n >= 0; n--) {
                text.append(parts[random.nextInt(parts.length)]);
                if (random.nextInt(3) == 0) {
                    text.append(' ');
                }
            }
            assertSameIds(pieces, text.toString());
            String mended = WordPieces.withoutLoneSurrogates(text.toString());
            assertEquals(counter.estimateTokenCountInText(mended), pieces.count(text.toString()), text.toString());
        }
    }

    /** Cut at the model's window however the last word straddles it; nothing but [CLS] and [SEP] for a text of no tokens. */
    @Test
    void theCutAndTheEmptyText() {
        WordPieces pieces = new WordPieces(vocabulary);
        assertSameIds(pieces, "word ".repeat(125) + "pneumonoultramicroscopicsilicovolcanoconiosis");
        assertSameIds(pieces, "word ".repeat(126) + "x");
        assertSameIds(pieces, "word ".repeat(127));
        assertSameIds(pieces, "");
        assertSameIds(pieces, " \n\u200b\u0000");
        assertEquals(2, pieces.modelInput("\u0301", MAX_PIECES).length);
    }

    /**
     * Half a surrogate pair on its own is taken as U+FFFD, which the tokenizer drops. Given the
     * whole string, DJL decodes it lossily and drops the emoji too (its [UNK] piece goes).
     */
    @Test
    void aLoneSurrogateLosesNothingElse() {
        WordPieces pieces = new WordPieces(vocabulary);
        assertEquals(2, whole.encode("\uD800 \uD83D\uDE42", true, false).getIds().length, "DJL's lossy decoding");
        assertArrayEquals(whole.encode("\uFFFD \uD83D\uDE42", true, false).getIds(), pieces.modelInput("\uD800 \uD83D\uDE42", MAX_PIECES));
        assertEquals(3, pieces.modelInput("\uD800 \uD83D\uDE42", MAX_PIECES).length);
        assertEquals("a\uFFFDb\uD83D\uDE42\uFFFD", WordPieces.withoutLoneSurrogates("a\uDC00b\uD83D\uDE42\uD800"));
    }

    private static void assertSameIds(WordPieces pieces, String text) {
        long[] expected = whole.encode(WordPieces.withoutLoneSurrogates(text), true, false).getIds();
        long[] first = pieces.modelInput(text, MAX_PIECES);
        assertArrayEquals(expected, first, () -> "text: " + text + "\nexpected " + Arrays.toString(expected) + "\nbut got  " + Arrays.toString(first));
        // Again, from what was remembered of its words.
        assertArrayEquals(expected, pieces.modelInput(text, MAX_PIECES), text);
    }

    private static String pageText(String slug) throws IOException {
        List<String> found = new ArrayList<>();
        for (String path : List.of("sites/jakevdp/blog/2014/09/02/", "sites/jakevdp/blog/2012/09/20/", "sites/jakevdp/blog/2012/09/12/")) {
            try (InputStream in = WordPiecesTest.class.getClassLoader().getResourceAsStream(path + slug + "/index.html")) {
                if (in != null) {
                    found.add(Jsoup.parse(in, "UTF-8", "").body().wholeText());
                }
            }
        }
        assertEquals(1, found.size(), slug);
        return found.get(0);
    }
}

package feedsearch.embed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A BERT tokenizer's word pieces of a text, found one word at a time, with each word's pieces
 * remembered. BERT's tokenizer never makes a piece across whitespace or punctuation, so a text's
 * pieces are its words' pieces end to end. An ingest counts the pieces of every candidate passage
 * as the chunker grows it, then the model reads each passage's pieces: tokenizing whole texts
 * took 2.1 CPU-seconds of the model's threads in a cold ingest of the 66-post blog, and counting
 * 0.4 on the run's one thread. Most words come again, and a word is tokenized once.
 * Thread-safe.
 */
final class WordPieces {
    /** The file pads every text to 128 ids and cuts it there: a word alone must get neither; the cut is ours to make ({@link #modelInput}). */
    private static final Map<String, String> TOKENIZER_OPTIONS = Map.of("padding", "false", "truncation", "false");
    /**
     * Bound the memory of a long run (a hostile feed's made-up words included), by estimate to about 45 MB:
     * past either, new words are tokenized but not kept. A blog's text has a few tens of
     * thousands of distinct words, of one or two pieces each.
     */
    private static final int MAX_WORDS = 200_000;
    private static final int MAX_KEPT_PIECES = 1_000_000;
    /** Longer runs of characters (inlined data, long URLs) rarely come again. */
    private static final int MAX_KEPT_CHARS = 64;

    private final HuggingFaceTokenizer tokenizer;
    /** [CLS] and [SEP], as the tokenizer puts them around a text. */
    private final long clsId;
    private final long sepId;
    private final Map<String, long[]> words = new ConcurrentHashMap<>();
    private final AtomicLong keptPieces = new AtomicLong();
    /**
     * The last texts counted on each thread. The chunker counts a passage again after each part
     * it appends, so a count usually extends one of these by a few words.
     */
    private final ThreadLocal<Recent> recent = ThreadLocal.withInitial(Recent::new);

    private static final class Recent {
        final String[] texts = new String[4];
        final int[] counts = new int[4];
        int next;
    }

    /** @param vocabulary the model's tokenizer.json */
    WordPieces(byte[] vocabulary) {
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(vocabulary), TOKENIZER_OPTIONS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long[] around = tokenizer.encode("", true, false).getIds();
        if (around.length != 2) {
            throw new IllegalStateException("the tokenizer does not mark a text with one id on each side: " + Arrays.toString(around));
        }
        clsId = around[0];
        sepId = around[1];
    }

    /**
     * The ids the model reads for {@code text}: [CLS], its first {@code maxPieces} pieces, [SEP];
     * what the tokenizer's own encoding gives with its cut at {@code maxPieces + 2}, a lone
     * surrogate taken as U+FFFD ({@link #withoutLoneSurrogates}).
     */
    long[] modelInput(String text, int maxPieces) {
        long[] ids = new long[maxPieces + 2];
        ids[0] = clsId;
        int n = walk(text, 0, ids, 1, maxPieces + 1);
        ids[n++] = sepId;
        return n == ids.length ? ids : Arrays.copyOf(ids, n);
    }

    /** How many pieces {@code text} makes, without [CLS] and [SEP]. */
    int count(String text) {
        Recent remembered = recent.get();
        int from = 0;
        int total = 0;
        for (int k = 0; k < remembered.texts.length; k++) {
            String known = remembered.texts[k];
            if (known != null && known.length() > from && known.length() <= text.length() && text.startsWith(known)
                    && (known.length() == text.length() || isSpace(known.charAt(known.length() - 1))
                    || isSpace(text.charAt(known.length())))) {
                from = known.length();
                total = remembered.counts[k];
            }
        }
        total = walk(text, from, null, total, Integer.MAX_VALUE);
        remembered.texts[remembered.next] = text;
        remembered.counts[remembered.next] = total;
        remembered.next = (remembered.next + 1) % remembered.texts.length;
        return total;
    }

    /**
     * Adds the pieces of {@code text}'s words, from character {@code from} on, to {@code into}
     * (when given) from index {@code at}, stopping at index {@code end}; returns where it stopped.
     */
    private int walk(String text, int from, long[] into, int at, int end) {
        int start = -1;
        for (int i = from; i < text.length() && at < end; i++) {
            char c = text.charAt(i);
            boolean punctuation = isPunctuation(c);
            if (punctuation || isSpace(c)) {
                if (start >= 0) {
                    at = put(pieces(text.substring(start, i)), into, at, end);
                    start = -1;
                }
                if (punctuation && at < end) {
                    at = put(pieces(text.substring(i, i + 1)), into, at, end);
                }
            } else if (start < 0) {
                start = i;
            }
        }
        return start < 0 || at >= end ? at : put(pieces(text.substring(start)), into, at, end);
    }

    private static int put(long[] pieces, long[] into, int at, int end) {
        int taken = Math.min(pieces.length, end - at);
        if (into != null) {
            System.arraycopy(pieces, 0, into, at, taken);
        }
        return at + taken;
    }

    /** Whitespace to BERT's pre-tokenizer too; it splits at more (other Unicode spaces), never at fewer. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }

    /**
     * ASCII punctuation, which BERT's pre-tokenizer makes a word of its own: "(model," is "(",
     * "model" and ",", so a word is tokenized once however it is punctuated (half the tokenizer
     * calls of a blog's text, with many code samples). Not the brackets: "[SEP]" written in a
     * text is one special token to the tokenizer, found before it splits.
     */
    private static boolean isPunctuation(char c) {
        return c > ' ' && c < 0x7f && !Character.isLetterOrDigit(c) && c != '[' && c != ']';
    }

    private long[] pieces(String word) {
        if (word.length() > MAX_KEPT_CHARS) {
            return tokenize(word);
        }
        long[] known = words.get(word);
        if (known != null) {
            return known;
        }
        long[] pieces = tokenize(word);
        if (words.size() < MAX_WORDS && keptPieces.addAndGet(pieces.length) <= MAX_KEPT_PIECES) {
            words.put(word, pieces);
        }
        return pieces;
    }

    private long[] tokenize(String word) {
        return tokenizer.encode(withoutLoneSurrogates(word), false, false).getIds();
    }

    /**
     * Half of a surrogate pair on its own (a text cut between the two) as U+FFFD, which the
     * tokenizer drops. Handed to DJL, one lone half makes it decode the whole string lossily,
     * every emoji and other supplementary character in it lost.
     */
    static String withoutLoneSurrogates(String text) {
        StringBuilder mended = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                if (mended == null) {
                    mended = new StringBuilder(text);
                }
                mended.setCharAt(i, '\uFFFD');
            }
        }
        return mended == null ? text : mended.toString();
    }
}

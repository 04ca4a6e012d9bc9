package feedsearch.search;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.WhyUnreadable;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The question lines of a file or stream, read one at a time as they are asked for, so a file of
 * any length costs one line's memory: blank lines and lines starting with {@code #} are skipped.
 * A line is bounded too: past {@link #MAX_LINE_CHARS} the rest of it is read and dropped, and the
 * line is marked as cut. Text is UTF-8; bytes that are not become U+FFFD.
 */
public final class QuestionLines implements Closeable {
    /** Far beyond a question (the model reads 126 word pieces, the word ranking 64 words). */
    public static final int MAX_LINE_CHARS = 65_536;

    /**
     * @param number the line's number in its file, 1 for the first
     * @param text   the line as written (up to {@link #MAX_LINE_CHARS}), not stripped
     * @param cut    whether the line went on beyond {@code text}
     */
    public record Line(int number, String text, boolean cut) {
    }

    private final BufferedReader reader;
    private final String source;
    private int number;

    private QuestionLines(InputStream in, String source) {
        // A decoder, not a charset: bytes that are not UTF-8 are refused, not turned into U+FFFD, as feed lists are.
        this.reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()));
        this.source = source;
    }

    /** @throws FeedsearchException (exit 2) when the file cannot be opened */
    public static QuestionLines open(Path file) {
        try {
            return new QuestionLines(Files.newInputStream(file), file.toString());
        } catch (IOException e) {
            throw new FeedsearchException(ExitCode.USAGE, "cannot read " + file + ": " + WhyUnreadable.of(e), e);
        }
    }

    /** @param source what to call the stream in messages, e.g. "standard input" */
    public static QuestionLines of(InputStream in, String source) {
        return new QuestionLines(in, source);
    }

    public String source() {
        return source;
    }

    /** The next line that is not blank or a comment, or null at the end. */
    public Line next() {
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                text.setLength(0);
                boolean cut = false;
                int c = reader.read();
                if (c < 0) {
                    return null;
                }
                number++;
                if (number == 1 && c == '\uFEFF') {
                    c = reader.read(); // a byte order mark, not part of the first question
                }
                for (; c >= 0 && c != '\n'; c = reader.read()) {
                    if (c == 0) {
                        // Binary data, or an endless stream of zeros: no line of questions either way.
                        throw new FeedsearchException(ExitCode.USAGE, source + " line " + number
                                + " holds a NUL byte: not a UTF-8 text file (one in UTF-16 must be saved as UTF-8)");
                    }
                    if (text.length() < MAX_LINE_CHARS) {
                        text.append((char) c);
                    } else {
                        cut = true;
                    }
                }
                if (!cut && text.length() > 0 && text.charAt(text.length() - 1) == '\r') {
                    text.setLength(text.length() - 1);
                }
                String line = text.toString();
                String stripped = line.strip();
                if (cut || !(stripped.isEmpty() || stripped.startsWith("#"))) {
                    return new Line(number, line, cut);
                }
            }
        } catch (CharacterCodingException e) {
            // Found as a block is decoded ahead of the lines, so no line number: the file is the mistake.
            throw new FeedsearchException(ExitCode.USAGE, source + " is not UTF-8 text (save it as UTF-8)", e);
        } catch (IOException e) {
            throw new FeedsearchException(ExitCode.USAGE, "cannot read " + source + ": " + WhyUnreadable.of(e), e);
        }
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            // Nothing was written; nothing is lost.
        }
    }
}

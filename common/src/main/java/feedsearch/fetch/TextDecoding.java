package feedsearch.fetch;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes to text the way browsers effectively read mislabelled feeds and pages: a body that says
 * UTF-8 but holds Windows-1252 bytes (curly quotes pasted from a word processor) keeps its
 * apostrophes instead of turning them into U+FFFD, and Latin-1 and ASCII labels mean Windows-1252.
 */
public final class TextDecoding {
    public static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final char[] WINDOWS_1252_CHARS = new String(allBytes(), WINDOWS_1252).toCharArray();

    private TextDecoding() {
    }

    /** The charset a browser uses for a label: Windows-1252 for ISO-8859-1 and US-ASCII, as the WHATWG standard says. */
    public static Charset forLabel(Charset label) {
        return label.equals(StandardCharsets.ISO_8859_1) || label.equals(StandardCharsets.US_ASCII) ? WINDOWS_1252 : label;
    }

    public static boolean isUtf8(byte[] bytes) {
        try {
            decoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    /** UTF-8, with each byte that is not part of a valid UTF-8 sequence read as Windows-1252. */
    public static String utf8OrWindows1252(byte[] bytes) {
        CharsetDecoder utf8 = decoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // UTF-8 never yields more chars than bytes, nor does a single-byte charset.
        CharBuffer out = CharBuffer.allocate(bytes.length);
        while (true) {
            CoderResult result = utf8.decode(in, out, true);
            if (result.isUnderflow()) {
                utf8.flush(out);
                return out.flip().toString();
            }
            for (int i = 0; i < result.length(); i++) {
                out.put(WINDOWS_1252_CHARS[in.get() & 0xff]);
            }
        }
    }

    private static CharsetDecoder decoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static byte[] allBytes() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        return all;
    }
}

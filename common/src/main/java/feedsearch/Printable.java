package feedsearch;

import java.util.ArrayList;
import java.util.List;

/**
 * Text from feeds, pages and servers made safe to show on one line of a terminal: control
 * characters (an ESC sequence in a title can retitle or repaint a terminal) and bidirectional
 * overrides removed, line breaks and runs of spaces turned into one space, and the length capped.
 * JSON output needs none of this: its encoder escapes control characters.
 */
public final class Printable {
    private Printable() {
    }

    public static String line(String text, int maxChars) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars + 1));
        boolean space = false;
        for (int i = 0; i < text.length() && out.length() <= maxChars; ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            if (BlankText.isSpace(c)) {
                space = out.length() > 0;
            } else if (!Character.isISOControl(c) && Character.getType(c) != Character.FORMAT) {
                // FORMAT covers the bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069).
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.appendCodePoint(c);
            }
        }
        if (out.length() > maxChars) {
            int cut = Math.max(0, maxChars - 1);
            if (cut > 0 && Character.isHighSurrogate(out.charAt(cut - 1))) {
                cut--; // never half a character
            }
            out.setLength(cut);
            out.append('…');
        }
        return out.toString();
    }

    /** Several lines of text (an answer from a chat model, say): each line made printable, the breaks kept. */
    public static String lines(String text, int maxLineChars) {
        if (text == null) {
            return "";
        }
        List<String> printable = new ArrayList<>();
        for (String l : text.split("\\R", -1)) {
            printable.add(line(l, maxLineChars));
        }
        return String.join("\n", printable);
    }
}

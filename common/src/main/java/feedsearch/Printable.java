package feedsearch;

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
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                space = out.length() > 0;
            } else if (!Character.isISOControl(c) && !isBidiControl(c) && Character.getType(c) != Character.FORMAT) {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.appendCodePoint(c);
            }
        }
        if (out.length() > maxChars) {
            out.setLength(Math.max(0, maxChars - 1));
            out.append('…');
        }
        return out.toString();
    }

    /** Several lines of text (an answer from a chat model, say): each line made printable, the breaks kept. */
    public static String lines(String text, int maxLineChars) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String l : text.split("\\R", -1)) {
            out.append(out.isEmpty() ? "" : "\n").append(line(l, maxLineChars));
        }
        return out.toString();
    }

    private static boolean isBidiControl(int c) {
        return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c;
    }
}

package feedsearch;

/**
 * Text with nothing in it to read or to embed: whitespace, and characters that carry nothing on
 * their own. A page, passage or question of only these has no words; BERT's tokenizer drops every
 * one of them, so the local model refuses such a text, and a text it refuses failed every post
 * embedded in the same call.
 */
public final class BlankText {
    private static final int REPLACEMENT_CHARACTER = 0xFFFD;

    private BlankText() {
    }

    /** True when every character of {@code text} is whitespace or {@link #carriesNothing nothing}. */
    public static boolean isBlank(CharSequence text) {
        for (int i = 0; i < text.length(); ) {
            int c = Character.codePointAt(text, i);
            i += Character.charCount(c);
            if (!isSpace(c) && !carriesNothing(c)) {
                return false;
            }
        }
        return true;
    }

    /** Whitespace, breaking or not (U+00A0, U+2009, U+3000 too). */
    public static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint);
    }

    /**
     * Control and format characters (zero-width spaces, byte order marks, direction marks),
     * private-use, unassigned and lone surrogate code points, combining marks that mark nothing
     * and U+FFFD, what a decoder leaves of bytes it could not read.
     */
    public static boolean carriesNothing(int codePoint) {
        if (codePoint < 0x80) {
            return codePoint < 0x20 || codePoint == 0x7f; // ASCII: only its controls; spares most text the look-up
        }
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.UNASSIGNED, Character.SURROGATE,
                    Character.NON_SPACING_MARK -> true;
            default -> codePoint == REPLACEMENT_CHARACTER;
        };
    }
}

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
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && !carriesNothing(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Control and format characters (zero-width spaces, byte order marks, direction marks),
     * private-use, unassigned and lone surrogate code points, combining marks that mark nothing
     * and U+FFFD, what a decoder leaves of bytes it could not read.
     */
    public static boolean carriesNothing(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.UNASSIGNED, Character.SURROGATE,
                    Character.NON_SPACING_MARK -> true;
            default -> codePoint == REPLACEMENT_CHARACTER;
        };
    }
}

package feedsearch.search;

import java.time.Instant;

/**
 * One post in a ranking.
 *
 * @param score   cosine similarity of the post's best passage to the question
 * @param passage that passage
 */
public record Hit(int rank, double score, String title, String url, Instant published, String feed, String passage) {
    private static final int SNIPPET_CHARS = 240;

    /** The start of the passage on one line, for tables and JSON. */
    public String snippet() {
        String flat = passage.replaceAll("\\s+", " ").strip();
        return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS - 1).stripTrailing() + "…";
    }
}

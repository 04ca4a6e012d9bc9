package feedsearch.search;

import java.time.Instant;

/**
 * One post in a ranking.
 *
 * @param rank       the post's place in the fused ranking, 1 for the first
 * @param score      cosine similarity of the post's best passage to the question
 * @param passage    that passage
 * @param vectorRank the post's place in the vector ranking; 0 when it was not ranked there
 * @param textRank   the post's place in the BM25 ranking; 0 when it was not ranked there (or there is none)
 */
public record Hit(int rank, double score, String title, String url, Instant published, String feed, String passage,
                  int vectorRank, int textRank) {
    private static final int SNIPPET_CHARS = 240;

    /** The start of the passage on one line, for tables and JSON. */
    public String snippet() {
        String flat = passage.replaceAll("\\s+", " ").strip();
        return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS - 1).stripTrailing() + "…";
    }
}

package feedsearch.store;

import java.time.Instant;

/**
 * A passage found near a question vector.
 *
 * @param score cosine similarity, 1 for the same direction
 */
public record PassageMatch(String postId, String url, String title, String feed, Instant published, int chunk,
                           String text, double score) {
}

package feedsearch.search;

import java.time.Instant;

/**
 * One post in a ranking.
 *
 * @param score   cosine similarity of the post's best passage to the question
 * @param snippet the start of that passage
 * @param passage that passage whole
 */
public record Hit(int rank, double score, String title, String url, Instant published, String feed, String snippet,
                  String passage) {
}

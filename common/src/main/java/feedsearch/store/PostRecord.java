package feedsearch.store;

import java.time.Instant;

/**
 * What is stored about a post besides its passages.
 *
 * @param feed        the feed URL, or its {@code --tag}
 * @param published   null when the feed gives no date
 * @param contentHash SHA-256 of the extracted text: equal means nothing to re-embed
 * @param chunks      how many passages the post has
 */
public record PostRecord(String postId, String url, String title, String feed, Instant published,
                         String contentHash, int chunks, Instant ingestedAt) {
}

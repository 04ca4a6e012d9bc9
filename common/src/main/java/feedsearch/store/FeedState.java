package feedsearch.store;

import java.time.Instant;

/**
 * What the last run learned about a feed: validators for a conditional GET, when it ran, and how
 * many entries the feed had.
 *
 * @param etag         null when the server sent none, or when the last run had failures (so
 *                     that the next run reads the feed again and retries them)
 */
public record FeedState(String url, String etag, String lastModified, Instant lastRun, int entries) {
}

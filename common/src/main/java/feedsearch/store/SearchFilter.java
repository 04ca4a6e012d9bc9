package feedsearch.store;

import java.time.Instant;

/**
 * Restricts a vector search before ranking.
 *
 * @param feed  only passages of this feed (URL or tag); null for all
 * @param since only posts published at or after this; null for all
 */
public record SearchFilter(String feed, Instant since) {
    public static final SearchFilter NONE = new SearchFilter(null, null);
}

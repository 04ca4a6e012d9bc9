package feedsearch.store;

import java.time.Instant;

/**
 * Restricts a vector search before ranking.
 *
 * @param feed  only passages of this feed (URL or tag); null for all
 * @param since only posts published at or after this; null for all
 * @param url   only the passages of the post with this canonical URL; null for all
 */
public record SearchFilter(String feed, Instant since, String url) {
    public static final SearchFilter NONE = new SearchFilter(null, null, null);

    public SearchFilter(String feed, Instant since) {
        this(feed, since, null);
    }

    /** This filter, narrowed to one post. */
    public SearchFilter onlyUrl(String postUrl) {
        return new SearchFilter(feed, since, postUrl);
    }
}

package feedsearch.store;

import java.time.Instant;

/**
 * Restricts a vector search before ranking.
 *
 * @param feed  only passages of this feed (URL or tag); null for all
 * @param since only posts published at or after this; null for all
 * @param postId only the passages of this post (by id and by canonical URL: each engine filters
 *               by the one it indexes); null for all
 */
public record SearchFilter(String feed, Instant since, String postId, String url) {
    public static final SearchFilter NONE = new SearchFilter(null, null, null, null);

    public SearchFilter(String feed, Instant since) {
        this(feed, since, null, null);
    }

    /** This filter, narrowed to one post. */
    public SearchFilter onlyPost(String id, String canonicalUrl) {
        return new SearchFilter(feed, since, id, canonicalUrl);
    }
}

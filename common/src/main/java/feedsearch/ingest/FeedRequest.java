package feedsearch.ingest;

import java.net.URI;

/**
 * A feed to ingest.
 *
 * @param name what posts record as their feed, and what {@code query --feed} matches: the
 *             {@code --tag}, else the feed's URL
 */
public record FeedRequest(URI location, String name) {
    public static FeedRequest of(URI location, String tag) {
        return new FeedRequest(location, tag != null ? tag : location.toString());
    }
}

package feedsearch.feed;

import feedsearch.fetch.Access;

import java.net.URI;
import java.util.List;

/**
 * A feed as read, or the answer that it has not changed since the validators we sent.
 *
 * @param links        what the links in this feed may reach, decided by where the feed came from
 * @param etag         validator for the next conditional GET; null for local files
 * @param lastModified validator for the next conditional GET; null for local files
 */
public record Feed(URI location, boolean notModified, String title, List<FeedEntry> entries, Access links, String etag,
                   String lastModified) {

    static Feed notModified(URI location, String etag, String lastModified) {
        return new Feed(location, true, null, List.of(), null, etag, lastModified);
    }
}

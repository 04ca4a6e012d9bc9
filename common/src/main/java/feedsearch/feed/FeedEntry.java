package feedsearch.feed;

import java.net.URI;
import java.time.Instant;

/**
 * One item of a feed, as the feed tells it.
 *
 * @param link        the post's page, absolute; null when the entry names none
 * @param published   publication (else update) time; null when the feed gives neither
 * @param summaryHtml the description or Atom summary; may be empty
 * @param contentHtml the full content ({@code content:encoded}, Atom content); may be empty
 */
public record FeedEntry(URI link, String title, Instant published, String summaryHtml, String contentHtml) {
}

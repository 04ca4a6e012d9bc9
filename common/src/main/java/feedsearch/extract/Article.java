package feedsearch.extract;

import feedsearch.Sha256;

import java.net.URI;
import java.time.Instant;

/**
 * A post's readable text and what we know about it.
 *
 * @param text plain text, paragraphs separated by blank lines
 */
public record Article(URI url, String title, Instant published, String text, Source source) {

    public enum Source { FEED_CONTENT, PAGE }

    /**
     * SHA-256 of the title and text, everything that goes into the post's vectors: an unchanged
     * hash means the post need not be embedded again.
     */
    public String contentHash() {
        return Sha256.hex(title + "\n\n" + text);
    }
}

package feedsearch.fetch;

import java.util.Locale;
import java.util.Set;

/** What a fetch is for, which decides which media types are worth reading at all. */
public enum Expect {
    /** Feeds come with every media type under the sun (text/html included): the parser decides. */
    FEED,
    /** A post's page: HTML or XHTML (plain text and untyped bodies are sniffed); never a PDF or an image. */
    PAGE;

    private static final Set<String> PAGE_TYPES = Set.of(
            "text/html", "application/xhtml+xml", "text/plain", "application/octet-stream", "binary/octet-stream");

    /** Whether a body declared as this media type (lower case, no parameters; null when absent) may be read. */
    public boolean accepts(String mediaType) {
        return this == FEED || mediaType == null || mediaType.isEmpty() || PAGE_TYPES.contains(mediaType.toLowerCase(Locale.ROOT));
    }
}

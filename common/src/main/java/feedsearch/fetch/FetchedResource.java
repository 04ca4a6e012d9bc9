package feedsearch.fetch;

import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Optional;

/**
 * The body of a successful GET (or a 304 with no body) and the headers we act on.
 *
 * @param uri where the body came from, after redirects
 */
public record FetchedResource(URI uri, boolean notModified, byte[] body, String contentType, String etag,
                              String lastModified) {

    public static FetchedResource notModified(URI uri) {
        return new FetchedResource(uri, true, new byte[0], null, null, null);
    }

    /** The media type without parameters, lower case ({@code text/html}); null when none was given. */
    public String mediaType() {
        return mediaTypeOf(contentType);
    }

    static String mediaTypeOf(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return null;
        }
        return contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    }

    /** The charset named in the Content-Type header, if it names one we know. */
    public Optional<Charset> declaredCharset() {
        return charsetOf(contentType);
    }

    public static Optional<Charset> charsetOf(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        for (String part : contentType.split(";")) {
            String p = part.trim();
            if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                String name = p.substring("charset=".length()).replace("\"", "").trim();
                try {
                    return Optional.of(Charset.forName(name));
                } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}

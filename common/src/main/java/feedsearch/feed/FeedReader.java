package feedsearch.feed;

import com.rometools.rome.feed.synd.SyndContent;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.feed.synd.SyndLink;
import com.rometools.rome.io.SyndFeedInput;
import com.rometools.rome.io.XmlReader;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.http.FetchException;
import feedsearch.http.FetchedResource;
import feedsearch.http.HttpFetcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads RSS 0.9x/1.0/2.0 and Atom feeds with Rome, from http(s) URLs (conditionally, with the
 * validators of the last run) or from local files. External entities are never resolved: Rome
 * turns them off in the parser it builds, doctypes or not.
 */
public final class FeedReader {
    private final HttpFetcher http;

    public FeedReader(HttpFetcher http) {
        this.http = http;
    }

    /**
     * Turns what the user typed after {@code --feed} into a URI: http(s) and file URLs as they are,
     * anything without a scheme as a local path.
     */
    public static URI locate(String location) {
        String trimmed = location.trim();
        if (trimmed.matches("(?i)^[a-z][a-z0-9+.-]*://.*")) {
            URI uri;
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                throw new FeedsearchException(ExitCode.USAGE, "not a valid feed URL: " + location);
            }
            String scheme = uri.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("file")) {
                throw new FeedsearchException(ExitCode.USAGE,
                        "unsupported feed URL scheme '" + uri.getScheme() + "' in " + location + " (use http, https or a file path)");
            }
            return uri;
        }
        return Path.of(trimmed).toAbsolutePath().normalize().toUri();
    }

    public Feed read(URI location, String etag, String lastModified) throws FeedException {
        byte[] bytes;
        String contentType = null;
        String newEtag = null;
        String newLastModified = null;
        URI base = location;
        if ("file".equalsIgnoreCase(location.getScheme())) {
            bytes = readFile(location);
        } else {
            FetchedResource resource;
            try {
                resource = http.get(location, etag, lastModified);
            } catch (FetchException e) {
                throw new FeedException("feed " + e.getMessage(), e);
            }
            if (resource.notModified()) {
                return Feed.notModified(location, etag, lastModified);
            }
            bytes = resource.body();
            contentType = resource.contentType();
            newEtag = resource.etag();
            newLastModified = resource.lastModified();
            base = resource.uri();
        }
        SyndFeed feed = parse(location, bytes, contentType);
        List<FeedEntry> entries = new ArrayList<>();
        for (SyndEntry entry : feed.getEntries()) {
            entries.add(toEntry(base, entry));
        }
        return new Feed(location, false, feed.getTitle(), List.copyOf(entries), newEtag, newLastModified);
    }

    private static byte[] readFile(URI location) throws FeedException {
        Path path = Path.of(location);
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new FeedException("feed file not found: " + path, e);
        } catch (IOException e) {
            throw new FeedException("feed file " + path + " could not be read: " + e.getMessage(), e);
        }
    }

    private static SyndFeed parse(URI location, byte[] bytes, String contentType) throws FeedException {
        SyndFeedInput input = new SyndFeedInput();
        // RSS 0.91 feeds carry a DOCTYPE; allowing it is safe because Rome's parser loads no
        // external DTD or entity either way.
        input.setAllowDoctypes(true);
        try (InputStream in = new ByteArrayInputStream(bytes);
             XmlReader reader = contentType != null ? new XmlReader(in, contentType, true) : new XmlReader(in, true)) {
            return input.build(reader);
        } catch (com.rometools.rome.io.FeedException | IOException | IllegalArgumentException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : oneLine(e.getMessage());
            throw new FeedException("feed " + location + " is not a valid RSS or Atom feed: " + reason, e);
        }
    }

    private static FeedEntry toEntry(URI base, SyndEntry entry) {
        Date date = entry.getPublishedDate() != null ? entry.getPublishedDate() : entry.getUpdatedDate();
        Instant published = date == null ? null : date.toInstant();
        String summary = entry.getDescription() == null ? "" : nullToEmpty(entry.getDescription().getValue());
        String content = entry.getContents().stream()
                .map(SyndContent::getValue)
                .filter(v -> v != null && !v.isBlank())
                .collect(Collectors.joining("\n"));
        String title = entry.getTitle() == null ? "" : entry.getTitle().trim();
        return new FeedEntry(link(base, entry), title, published, summary, content);
    }

    private static URI link(URI base, SyndEntry entry) {
        List<String> candidates = new ArrayList<>();
        candidates.add(entry.getLink());
        for (SyndLink link : entry.getLinks()) {
            if (link.getRel() == null || link.getRel().equals("alternate")) {
                candidates.add(link.getHref());
            }
        }
        candidates.add(entry.getUri()); // RSS guid / Atom id: often, not always, the post's URL
        for (String candidate : candidates) {
            if (candidate == null || candidate.isBlank()) {
                continue;
            }
            try {
                URI uri = base.resolve(new URI(candidate.trim()));
                if (HttpFetcher.isHttp(uri) || "file".equalsIgnoreCase(uri.getScheme())) {
                    return uri;
                }
            } catch (URISyntaxException | IllegalArgumentException ignored) {
                // Try the next candidate.
            }
        }
        return null;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }
}

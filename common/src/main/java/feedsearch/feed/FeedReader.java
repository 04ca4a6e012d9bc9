package feedsearch.feed;

import com.rometools.rome.feed.synd.SyndContent;
import com.rometools.rome.feed.synd.SyndEntry;
import com.rometools.rome.feed.synd.SyndFeed;
import com.rometools.rome.feed.synd.SyndLink;
import com.rometools.rome.io.SyndFeedInput;
import com.rometools.rome.io.XmlReader;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.fetch.Access;
import feedsearch.fetch.BinarySniffer;
import feedsearch.fetch.Expect;
import feedsearch.fetch.FetchException;
import feedsearch.fetch.FetchedResource;
import feedsearch.fetch.Fetcher;
import feedsearch.fetch.HttpFetcher;
import feedsearch.fetch.TextDecoding;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads RSS 0.9x/1.0/2.0 and Atom feeds with Rome, from http(s) URLs (conditionally, with the
 * validators of the last run) or from local files. External entities are never resolved: Rome
 * turns them off in the parser it builds, doctypes or not.
 */
public final class FeedReader {
    /** Titles longer than this are cut: no list shows more, and a hostile feed may send megabytes. */
    public static final int MAX_TITLE_CHARS = 300;
    private static final Pattern XML_ENCODING = Pattern.compile("^\\s*<\\?xml[^>]*\\sencoding\\s*=\\s*[\"']([A-Za-z0-9._:-]+)[\"']");
    private static final Pattern HTML_START = Pattern.compile("^\\s*(<!--.*?-->\\s*)*<(!doctype\\s+html|html)[\\s>]",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern OPML_START = Pattern.compile("^\\s*(<\\?xml[^>]*>\\s*)?(<!--.*?-->\\s*)*<opml[\\s>]",
            Pattern.DOTALL);
    private static final String OPML = "an OPML feed list, not a feed (read it with ingest --opml)";

    private final Fetcher fetcher;

    public FeedReader(Fetcher fetcher) {
        this.fetcher = fetcher;
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
        try {
            return Path.of(trimmed).toAbsolutePath().normalize().toUri();
        } catch (InvalidPathException e) {
            throw new FeedsearchException(ExitCode.USAGE, "not a feed URL nor a file path: " + location + " (" + e.getReason() + ")");
        }
    }

    public Feed read(URI location, String etag, String lastModified) throws FeedException {
        return parse(fetch(location, etag, lastModified));
    }

    /**
     * A feed's answer, not yet parsed: at most the size cap in bytes, where a parsed feed holds
     * several times that. What an ingest reads ahead of the feed it is working on.
     */
    public record Fetched(URI location, Access access, FetchedResource resource, String etag, String lastModified) {
    }

    /** The part of reading a feed that waits on its server. */
    public Fetched fetch(URI location, String etag, String lastModified) throws FeedException {
        Access access = fetcher.accessFor(location);
        FetchedResource resource;
        try {
            resource = fetcher.get(location, access, Expect.FEED, etag, lastModified);
        } catch (FetchException e) {
            throw new FeedException("feed " + e.getMessage(), e);
        }
        if (resource.notModified() && etag == null && lastModified == null) {
            // Nothing was asked to be compared: "not modified" would skip a feed never read.
            throw new FeedException("feed " + location + ": answered 304 Not Modified to a request that sent no validators", null);
        }
        return new Fetched(location, access, resource, etag, lastModified);
    }

    /** The feed in a fetched answer. */
    public Feed parse(Fetched fetched) throws FeedException {
        URI location = fetched.location();
        FetchedResource resource = fetched.resource();
        if (resource.notModified()) {
            return Feed.notModified(location, fetched.etag(), fetched.lastModified());
        }
        SyndFeed feed = parse(location, resource);
        URI base = resource.uri();
        if (feed.originalWireFeed() instanceof com.rometools.rome.feed.atom.Feed atom) {
            base = withXmlBase(base, atom.getXmlBase());
        }
        List<FeedEntry> entries = new ArrayList<>();
        for (SyndEntry entry : feed.getEntries()) {
            entries.add(toEntry(base, entry));
        }
        // Judged again where the feed was served from after redirects: links are as trusted as the less trusted of the two.
        Access links = fetched.access().and(fetcher.accessFor(resource.uri()));
        return new Feed(location, false, feed.getTitle(), List.copyOf(entries), links, resource.etag(), resource.lastModified());
    }

    private static SyndFeed parse(URI location, FetchedResource resource) throws FeedException {
        byte[] bytes = resource.body();
        if (isBlank(bytes)) {
            throw new FeedException("feed " + location + ": the answer was empty, not a feed", null);
        }
        SyndFeedInput input = new SyndFeedInput();
        // RSS 0.91 feeds carry a DOCTYPE; allowing it is safe because Rome's parser loads no
        // external DTD or entity either way.
        input.setAllowDoctypes(true);
        // Keeps Atom's xml:base values, which Rome itself resolves only by gluing strings.
        input.setPreserveWireFeed(true);
        SyndFeed feed;
        try (Reader reader = reader(bytes, resource.contentType())) {
            feed = input.build(reader);
        } catch (com.rometools.rome.io.FeedException | IOException | RuntimeException e) {
            throw new FeedException("feed " + location + ": " + notAFeed(resource, e), e);
        } catch (StackOverflowError e) {
            // Rome copies markup inside an entry (description, content) recursively: a few
            // thousand nested elements exhaust the stack, which unwinds to here unharmed.
            throw new FeedException("feed " + location + ": not a valid RSS or Atom feed: elements nested too deeply", null);
        }
        // Rome's OPML module, on the class path for --opml, would read a feed list as a feed of its outlines.
        if (feed.getFeedType() != null && feed.getFeedType().startsWith("opml")) {
            throw new FeedException("feed " + location + ": " + OPML, null);
        }
        return feed;
    }

    /** Why a body is not a feed, in the terms a user can check: what it is, else what the parser said. */
    private static String notAFeed(FetchedResource resource, Exception e) {
        String type = resource.mediaType();
        String binary = BinarySniffer.binaryKind(resource.body(), type);
        if (binary != null) {
            return "got " + binary + ", not a feed";
        }
        if (OPML_START.matcher(head(resource.body())).find()) {
            return OPML;
        }
        if ((type != null && type.contains("html")) || HTML_START.matcher(head(resource.body())).find()) {
            return "got " + (type != null ? type : "an HTML page") + ", not a feed (give the feed's own URL, "
                    + "often linked from the page as RSS or Atom)";
        }
        if (type != null && !type.contains("xml") && !type.contains("rss") && !type.contains("atom")
                && !type.startsWith("text/plain") && !type.contains("octet-stream")) {
            return "got " + Printable.line(type, 80) + ", not a feed";
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : Printable.line(e.getMessage(), 300);
        return "not a valid RSS or Atom feed: " + reason;
    }

    /**
     * The feed's text. Bytes labelled UTF-8 (or not labelled, XML's default) that are not valid
     * UTF-8, and Latin-1 or ASCII labels, are read as browsers read them (see {@link TextDecoding});
     * anything else, byte order marks and UTF-16 included, is left to Rome's reader, which knows XML's rules.
     */
    private static Reader reader(byte[] bytes, String contentType) throws IOException {
        if (!hasByteOrderMark(bytes)) {
            Charset label = declaredCharset(bytes, contentType);
            if (label == null || label.equals(StandardCharsets.UTF_8)) {
                return new StringReader(TextDecoding.utf8OrWindows1252(bytes));
            }
            if (TextDecoding.forLabel(label).equals(TextDecoding.WINDOWS_1252)) {
                return new StringReader(new String(bytes, TextDecoding.WINDOWS_1252));
            }
        }
        InputStream in = new ByteArrayInputStream(bytes);
        return contentType != null ? new XmlReader(in, contentType, true) : new XmlReader(in, true);
    }

    /** The charset the HTTP header names, else the XML declaration; null when neither names one we know. */
    private static Charset declaredCharset(byte[] bytes, String contentType) {
        Optional<Charset> header = FetchedResource.charsetOf(contentType);
        if (header.isPresent()) {
            return header.get();
        }
        Matcher declaration = XML_ENCODING.matcher(head(bytes));
        if (declaration.find()) {
            try {
                return Charset.forName(declaration.group(1));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean hasByteOrderMark(byte[] b) {
        return (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf)
                || (b.length >= 2 && (((b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff) || ((b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe)));
    }

    private static String head(byte[] bytes) {
        return new String(bytes, 0, Math.min(bytes.length, 512), StandardCharsets.ISO_8859_1);
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    /** Atom's xml:base on the feed or an entry: relative to the document's own URL, and to each other when nested. */
    private static URI withXmlBase(URI base, String xmlBase) {
        if (xmlBase == null || xmlBase.isBlank()) {
            return base;
        }
        try {
            return base.resolve(new URI(xmlBase.strip()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return base;
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
        // A title is one line of text whoever wrote it; a 100 KB one is cut to what a list can show.
        String title = Printable.line(entry.getTitle(), MAX_TITLE_CHARS);
        if (entry.getWireEntry() instanceof com.rometools.rome.feed.atom.Entry atom) {
            base = withXmlBase(base, atom.getXmlBase());
        }
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
                // A file link is kept so that its refusal is reported; the fetch decides what this feed may reach.
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
}

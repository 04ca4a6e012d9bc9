package feedsearch.fetch;

import okhttp3.Dns;
import okhttp3.HttpUrl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Gets feeds and pages from http(s) URLs or local files, within what an {@link Access} allows,
 * under one size cap and one time bound per resource.
 */
public final class Fetcher implements AutoCloseable {
    private final PinnedDns names = new PinnedDns(Dns.SYSTEM);
    private final HttpFetcher http;
    private final long maxBytes;
    private final boolean allowPrivateLinks;

    /**
     * @param allowPrivateLinks let links in feeds from public addresses reach private and loopback ones
     */
    public Fetcher(Duration timeout, long maxBytes, String userAgent, boolean allowPrivateLinks) {
        this.http = new HttpFetcher(timeout, maxBytes, userAgent, names);
        this.maxBytes = maxBytes;
        this.allowPrivateLinks = allowPrivateLinks;
    }

    /**
     * What a feed the user named, and the links in it, may reach: private addresses when the
     * feed's host has only private addresses, as a feed inside the network links inside it.
     */
    public Access accessFor(URI feed) {
        if ("file".equalsIgnoreCase(feed.getScheme())) {
            return Access.LOCAL_FEED;
        }
        // The host as the HTTP client will look it up (lower case, IDN in ASCII), so the judgement and the fetch share one answer.
        HttpUrl url = HttpUrl.get(feed);
        return new Access(false, allowPrivateLinks || (url != null && names.isPrivate(url.host())));
    }

    public FetchedResource get(URI uri, Access access, Expect expect) throws FetchException {
        return get(uri, access, expect, null, null);
    }

    /** A conditional GET for http(s); a local file is simply read. */
    public FetchedResource get(URI uri, Access access, Expect expect, String etag, String lastModified) throws FetchException {
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            if (!access.localFiles()) {
                throw new FetchException(uri + ": refused: a feed fetched over http(s) may not link to local files");
            }
            return new FetchedResource(uri, false, readFile(localPath(uri)), null, null, null);
        }
        if (!HttpFetcher.isHttp(uri)) {
            throw new FetchException(uri + ": only http and https URLs can be fetched");
        }
        return http.get(uri, access.privateAddresses(), expect, etag, lastModified);
    }

    /** The file a file: URL names; its fragment or query (a link like {@code #part}) is not part of it. */
    private static Path localPath(URI uri) throws FetchException {
        String host = uri.getAuthority();
        if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
            throw new FetchException(uri + ": a file on another host (" + host + ") is not a local file");
        }
        try {
            return Path.of(new URI("file", null, uri.getPath(), null));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchException(uri + ": not a local file path");
        }
    }

    /** Regular files only (a device or a pipe can be endless), and the cap counted while reading. */
    private byte[] readFile(Path path) throws FetchException {
        if (!Files.exists(path)) {
            throw new FetchException(path + ": file not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new FetchException(path + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new FetchException(path + ": larger than the " + Sizes.describe(maxBytes) + " size cap");
            }
            return bytes;
        } catch (FetchException e) {
            throw e;
        } catch (IOException e) {
            throw new FetchException(path + ": could not be read (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}

package feedsearch.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * GETs feeds and pages the way a polite, defensive crawler should: http/https only, a bounded
 * number of redirects (the JDK client's limit of 5), connect and request timeouts, gzip, a
 * User-Agent, and a cap on the body size so one huge page cannot exhaust memory.
 */
public final class HttpFetcher {
    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;
    private final String userAgent;

    public HttpFetcher(Duration timeout, long maxBytes, String userAgent) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.userAgent = userAgent;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public static boolean isHttp(URI uri) {
        String scheme = uri.getScheme();
        return scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
    }

    public FetchedResource get(URI uri) throws FetchException {
        return get(uri, null, null);
    }

    /** A conditional GET: a 304 answer comes back as {@link FetchedResource#notModified()}. */
    public FetchedResource get(URI uri, String etag, String lastModified) throws FetchException {
        if (!isHttp(uri)) {
            throw new FetchException(uri + ": only http and https URLs can be fetched");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", userAgent)
                .header("Accept-Encoding", "gzip")
                .GET();
        if (etag != null) {
            request.header("If-None-Match", etag);
        }
        if (lastModified != null) {
            request.header("If-Modified-Since", lastModified);
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new FetchException(uri + ": connection timed out after " + timeout.toSeconds() + "s", e);
        } catch (HttpTimeoutException e) {
            throw new FetchException(uri + ": no answer within " + timeout.toSeconds() + "s", e);
        } catch (ConnectException e) {
            throw new FetchException(uri + ": connection refused", e);
        } catch (UnknownHostException e) {
            throw new FetchException(uri + ": unknown host " + uri.getHost(), e);
        } catch (IOException e) {
            throw new FetchException(uri + ": " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException(uri + ": interrupted", e);
        }
        URI finalUri = response.uri();
        int status = response.statusCode();
        if (status == 304) {
            discard(response.body());
            return FetchedResource.notModified(finalUri);
        }
        if (status < 200 || status > 299) {
            discard(response.body());
            throw new FetchException(finalUri + ": HTTP " + status);
        }
        byte[] body = readCapped(finalUri, response);
        return new FetchedResource(finalUri, false, body,
                response.headers().firstValue("Content-Type").orElse(null),
                response.headers().firstValue("ETag").orElse(null),
                response.headers().firstValue("Last-Modified").orElse(null));
    }

    private byte[] readCapped(URI uri, HttpResponse<InputStream> response) throws FetchException {
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > maxBytes) {
            discard(response.body());
            throw tooLarge(uri);
        }
        boolean gzip = response.headers().firstValue("Content-Encoding")
                .map(v -> v.toLowerCase(Locale.ROOT).contains("gzip")).orElse(false);
        try (InputStream raw = response.body(); InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) != -1) {
                // The cap applies to the decoded size, so a gzip bomb is caught too.
                if (out.size() + n > maxBytes) {
                    throw tooLarge(uri);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (FetchException e) {
            throw e;
        } catch (IOException e) {
            throw new FetchException(uri + ": reading the body failed: " + describe(e), e);
        }
    }

    private FetchException tooLarge(URI uri) {
        return new FetchException(uri + ": larger than the " + (maxBytes / (1024 * 1024)) + " MiB size cap");
    }

    private static void discard(InputStream body) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // Nothing to do: the body was not wanted.
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}

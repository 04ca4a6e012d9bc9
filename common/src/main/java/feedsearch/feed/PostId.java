package feedsearch.feed;

import feedsearch.Sha256;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A post's identity: the first 16 hex characters of the SHA-256 of its canonical URL (scheme and
 * host lower-cased, default port, fragment and tracking parameters dropped), so the same post is
 * stored once however the feed spells its link.
 */
public record PostId(String value, String canonicalUrl) {
    private static final Set<String> TRACKING_PARAMETERS = Set.of(
            "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "ref_src");

    public static PostId of(URI url) {
        String canonical = canonicalize(url);
        return new PostId(Sha256.hex(canonical).substring(0, 16), canonical);
    }

    static String canonicalize(URI url) {
        URI u = url.normalize();
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("file") || u.getHost() == null) {
            return withoutFragment(u).toString();
        }
        String host = u.getHost().toLowerCase(Locale.ROOT);
        int port = u.getPort();
        if ((scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443)) {
            port = -1;
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        String query = withoutTracking(u.getRawQuery());
        StringBuilder sb = new StringBuilder(scheme).append("://");
        if (u.getRawUserInfo() != null) {
            sb.append(u.getRawUserInfo()).append('@');
        }
        sb.append(host);
        if (port != -1) {
            sb.append(':').append(port);
        }
        sb.append(path);
        if (query != null) {
            sb.append('?').append(query);
        }
        return sb.toString();
    }

    private static String withoutTracking(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        StringJoiner kept = new StringJoiner("&");
        for (String pair : rawQuery.split("&")) {
            String name = pair.split("=", 2)[0].toLowerCase(Locale.ROOT);
            if (!name.isEmpty() && !name.startsWith("utm_") && !TRACKING_PARAMETERS.contains(name)) {
                kept.add(pair);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    private static URI withoutFragment(URI u) {
        try {
            return new URI(u.getScheme(), u.getSchemeSpecificPart(), null);
        } catch (URISyntaxException e) {
            return u;
        }
    }

    @Override
    public String toString() {
        return value;
    }
}

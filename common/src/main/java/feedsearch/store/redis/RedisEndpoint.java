package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where Redis is and how to log in. {@link #toString()} never shows the password, so an endpoint
 * can go into any message.
 *
 * @param user     ACL user; null for the default user
 * @param password null for none
 * @param tls      {@code rediss://}
 */
public record RedisEndpoint(String host, int port, String user, String password, boolean tls, int database) {
    public static final int DEFAULT_PORT = 6379;

    /**
     * {@code redis://[user[:password]@]host[:port][/db]} or {@code rediss://...}. A password
     * missing from the URL is taken from {@code REDIS_PASSWORD}, so it need not be typed on a
     * command line where {@code ps} would show it.
     */
    public static RedisEndpoint fromUrl(String url, Map<String, String> env) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw invalid();
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss")) || uri.getHost() == null) {
            throw invalid();
        }
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            if (parts.length == 2) {
                user = parts[0].isEmpty() ? null : decode(parts[0]);
                password = decode(parts[1]);
            } else {
                // redis://secret@host is how many tools spell a password-only login.
                password = decode(parts[0]);
            }
        }
        if (password == null) {
            password = blankToNull(env.get("REDIS_PASSWORD"));
        }
        if (user == null) {
            user = blankToNull(env.get("REDIS_USER"));
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw invalid();
            }
        }
        return new RedisEndpoint(uri.getHost(), uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort(), user, password,
                scheme.equalsIgnoreCase("rediss"), database);
    }

    /** From {@code REDIS_URL}, else the source post's {@code REDIS_HOST}/{@code REDIS_PORT}/{@code REDIS_PASSWORD}/{@code REDIS_USER}. */
    public static RedisEndpoint fromEnvironment(Map<String, String> env) {
        String url = blankToNull(env.get("REDIS_URL"));
        if (url != null) {
            return fromUrl(url, env);
        }
        String host = env.getOrDefault("REDIS_HOST", "localhost");
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("REDIS_PORT", String.valueOf(DEFAULT_PORT)).trim());
        } catch (NumberFormatException e) {
            throw new FeedsearchException(ExitCode.USAGE, "REDIS_PORT is not a port number: " + env.get("REDIS_PORT"));
        }
        return new RedisEndpoint(host, port, blankToNull(env.get("REDIS_USER")), blankToNull(env.get("REDIS_PASSWORD")), false, 0);
    }

    /** Whether the environment names a Redis at all. */
    public static boolean configuredIn(Map<String, String> env) {
        return blankToNull(env.get("REDIS_URL")) != null || blankToNull(env.get("REDIS_HOST")) != null;
    }

    private static FeedsearchException invalid() {
        // The URL may hold a password: say what is wrong without repeating it.
        return new FeedsearchException(ExitCode.USAGE, "not a Redis URL (expected redis://host:port or rediss://host:port)");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + (user != null ? user + "@" : "") + host + ":" + port
                + (database != 0 ? "/" + database : "");
    }
}

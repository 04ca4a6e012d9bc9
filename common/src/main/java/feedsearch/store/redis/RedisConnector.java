package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;


/**
 * Connects to Redis and finds out which vector engine it offers. Every failure becomes one line
 * naming host and port, never the password, with exit code 3.
 */
public final class RedisConnector {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int SOCKET_TIMEOUT_MILLIS = 30_000;

    private RedisConnector() {
    }

    /** A pooled client that has answered PING. */
    public static UnifiedJedis connect(RedisEndpoint endpoint) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .clientName("feedsearch")
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                .socketTimeoutMillis(SOCKET_TIMEOUT_MILLIS)
                .protocol(RedisProtocol.RESP2)
                .ssl(endpoint.tls())
                .database(endpoint.database());
        if (endpoint.user() != null) {
            config.user(endpoint.user());
        }
        if (endpoint.password() != null) {
            config.password(endpoint.password());
        }
        UnifiedJedis redis = RedisClient.builder().hostAndPort(endpoint.host(), endpoint.port()).clientConfig(config.build()).build();
        try {
            redis.ping();
            return redis;
        } catch (JedisAccessControlException e) {
            redis.close();
            if (e.getMessage() != null && e.getMessage().startsWith("NOAUTH")) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint + " needs a password: set REDIS_PASSWORD", e);
            }
            throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint + " refused the login ("
                    + firstWord(e.getMessage()) + "): check REDIS_PASSWORD and REDIS_USER", e);
        } catch (JedisConnectionException e) {
            redis.close();
            throw new FeedsearchException(ExitCode.UNREACHABLE, "cannot reach Redis at " + endpoint + ": " + reason(e), e);
        } catch (JedisDataException e) {
            redis.close();
            if (e.getMessage() != null && e.getMessage().startsWith("NOAUTH")) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint + " needs a password: set REDIS_PASSWORD", e);
            }
            throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint + " answered PING with an error: " + e.getMessage(), e);
        }
    }

    /**
     * The query engine when FT._LIST answers; otherwise vector sets when the server is Redis 8
     * or later; otherwise an error that names both ways to get one.
     */
    public static RedisEngine detectEngine(UnifiedJedis redis, RedisEndpoint endpoint) {
        boolean queryEngine;
        try {
            redis.sendCommand(() -> "FT._LIST".getBytes(StandardCharsets.US_ASCII));
            queryEngine = true;
        } catch (JedisDataException unknownCommand) {
            queryEngine = false;
        }
        return engineFor(queryEngine, serverVersion(redis), endpoint);
    }

    static RedisEngine engineFor(boolean queryEngine, String version, RedisEndpoint endpoint) {
        if (queryEngine) {
            return RedisEngine.SEARCH;
        }
        int major;
        try {
            major = Integer.parseInt(version.split("\\.")[0]);
        } catch (NumberFormatException e) {
            major = 0;
        }
        if (major >= 8) {
            return RedisEngine.VECTORSET;
        }
        throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint + " is version " + version
                + ", which has neither the query engine nor vector sets: use Redis 8 or later (vector sets are built in; "
                + "the redis:8 image also has the query engine), or Redis Stack");
    }

    static String serverVersion(UnifiedJedis redis) {
        for (String line : redis.info("server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length()).trim();
            }
        }
        return "0";
    }

    /** The root cause of a connection failure, in a few words. */
    static String reason(JedisConnectionException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ");
    }

    private static String firstWord(String message) {
        return message == null ? "refused" : message.split(" ")[0];
    }

    /** Engines as named in flags and in the index's meta record. */
    public enum RedisEngine {
        SEARCH("search"), VECTORSET("vectorset");

        private final String id;

        RedisEngine(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static RedisEngine of(String id) {
            for (RedisEngine e : values()) {
                if (e.id.equals(id)) {
                    return e;
                }
            }
            throw new FeedsearchException(ExitCode.USAGE, "unknown Redis engine '" + id + "' (use search or vectorset)");
        }
    }

}

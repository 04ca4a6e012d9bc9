package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.redis.BoundedSetupConnections.TlsHandshakeFailed;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.util.SafeEncoder;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;


/**
 * Connects to Redis and finds out which vector engine it offers. Every failure becomes one line
 * naming host and port, never the password, with exit code 3.
 */
public final class RedisConnector {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /**
     * Each read while a connection is set up (TLS handshake, HELLO, AUTH): a Redis answers these
     * at once, so a server silent this long is not one we can use.
     */
    private static final int SETUP_TIMEOUT_MILLIS = 5_000;
    /** Each read once connected: a busy server may take a while over a command. */
    private static final int COMMAND_TIMEOUT_MILLIS = 30_000;
    /** Per command on a cluster, within {@link RedisConnection.Cluster#RIDE_THROUGH} in all. */
    private static final int CLUSTER_ATTEMPTS = 20;

    private RedisConnector() {
    }

    /**
     * A pooled client that has answered PING; when the server is a cluster node
     * ({@code cluster_enabled:1}), a cluster client seeded by it, which finds the other nodes.
     */
    public static RedisConnection connect(RedisEndpoint endpoint) {
        UnifiedJedis seed = connectOne(endpoint);
        Map<String, String> cluster;
        try {
            if (!isClusterNode(seed)) {
                return new RedisConnection.Single(seed);
            }
            if (endpoint.database() != 0) {
                throw new FeedsearchException(ExitCode.USAGE, "Redis at " + endpoint
                        + " is a cluster node, and a cluster has only database 0: drop the /" + endpoint.database() + " from the URL");
            }
            cluster = fields(SafeEncoder.encode((byte[]) seed.sendCommand(Protocol.Command.CLUSTER, "INFO")));
        } catch (JedisConnectionException e) {
            seed.close();
            throw new FeedsearchException(ExitCode.UNREACHABLE, "lost the connection to Redis at " + endpoint + ": " + reason(e), e);
        } catch (RuntimeException e) {
            seed.close();
            throw e;
        }
        seed.close();
        if (!"ok".equals(cluster.get("cluster_state"))) {
            throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis Cluster at " + endpoint + " is not serving (cluster_state:"
                    + cluster.get("cluster_state") + "): check CLUSTER INFO on its nodes");
        }
        try {
            RedisClusterClient client = RedisClusterClient.builder()
                    .nodes(Set.of(new HostAndPort(endpoint.host(), endpoint.port())))
                    .clientConfig(clientConfig(endpoint).socketTimeoutMillis(COMMAND_TIMEOUT_MILLIS).database(0).build())
                    .maxAttempts(CLUSTER_ATTEMPTS)
                    .maxTotalRetriesDuration(RedisConnection.Cluster.RIDE_THROUGH)
                    .build();
            return new RedisConnection.Cluster(client, count(cluster.get("cluster_size")), count(cluster.get("cluster_known_nodes")));
        } catch (JedisException e) {
            throw new FeedsearchException(ExitCode.UNREACHABLE, "cannot reach Redis Cluster at " + endpoint + ": "
                    + (e instanceof JedisConnectionException c ? reason(c) : e.getMessage()), e);
        }
    }

    /**
     * Whether INFO says {@code cluster_enabled:1}. A user whose ACL forbids INFO is taken to be
     * on one server, as before clusters were known here; on a cluster such a user needs +info.
     */
    private static boolean isClusterNode(UnifiedJedis seed) {
        try {
            return "1".equals(fields(seed.info("cluster")).get("cluster_enabled"));
        } catch (JedisDataException noInfo) {
            return false;
        }
    }

    /** A node count from CLUSTER INFO, only ever shown: 0 when a server sends something else. */
    private static int count(String field) {
        try {
            return field == null ? 0 : Math.max(0, Integer.parseInt(field));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The {@code name:value} lines of an INFO section or CLUSTER INFO. */
    private static Map<String, String> fields(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    private static DefaultJedisClientConfig.Builder clientConfig(RedisEndpoint endpoint) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .clientName("feedsearch")
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MILLIS)
                .socketTimeoutMillis(SETUP_TIMEOUT_MILLIS)
                .protocol(RedisProtocol.RESP2)
                .ssl(endpoint.tls())
                .database(endpoint.database());
        if (endpoint.user() != null) {
            config.user(endpoint.user());
        }
        if (endpoint.password() != null) {
            config.password(endpoint.password());
        }
        return config;
    }

    private static UnifiedJedis connectOne(RedisEndpoint endpoint) {
        DefaultJedisClientConfig.Builder config = clientConfig(endpoint);
        HostAndPort address = new HostAndPort(endpoint.host(), endpoint.port());
        JedisClientConfig setupConfig = config.build();
        UnifiedJedis redis = RedisClient.builder().hostAndPort(address).clientConfig(setupConfig)
                .connectionProvider(new PooledConnectionProvider(
                        new BoundedSetupConnections(address, setupConfig, COMMAND_TIMEOUT_MILLIS), new ConnectionPoolConfig()))
                .build();
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
            throw new FeedsearchException(ExitCode.UNREACHABLE, "cannot reach Redis at " + endpoint + ": " + setupFailure(e), e);
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
    public static RedisEngine detectEngine(RedisConnection connection, RedisEndpoint endpoint) {
        return connection.onAnyNode(redis -> {
            boolean queryEngine;
            try {
                redis.sendCommand(() -> "FT._LIST".getBytes(StandardCharsets.US_ASCII));
                queryEngine = true;
            } catch (JedisDataException unknownCommand) {
                queryEngine = false;
            }
            return engineFor(queryEngine, serverVersion(redis), endpoint);
        });
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

    /** Why a connection could not be set up, in words that point at the likely cause. */
    private static String setupFailure(JedisConnectionException e) {
        if (e instanceof TlsHandshakeFailed) {
            return "TLS handshake failed or timed out (is TLS enabled on the server?)";
        }
        // Jedis's words for a first byte no Redis reply starts with, such as the 'H' of "HTTP/1.1".
        if (e.getMessage() != null && e.getMessage().startsWith("Unknown reply:")) {
            return "the server there does not speak the Redis protocol";
        }
        // A read timeout: the port accepted the connection, then nothing answered HELLO. (A
        // connect timeout is not a cause but a suppressed exception, and keeps its own words.)
        if (rootCause(e) instanceof SocketTimeoutException) {
            return "no answer within " + SETUP_TIMEOUT_MILLIS / 1000 + "s (is it a Redis server?)";
        }
        return reason(e);
    }

    /** The root cause of a connection failure, in a few words. */
    static String reason(JedisConnectionException e) {
        Throwable root = rootCause(e);
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ");
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
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

package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.store.redis.RedisConnector.RedisEngine;
import feedsearch.store.StoreAccess;

import java.util.List;

/**
 * Opens the Redis store of an index with the engine it was built with: the one its meta record
 * names, else the one asked for, else the best the server offers.
 */
public final class RedisStores {
    private RedisStores() {
    }

    private static int shardsForNewIndex(RedisOptions options, RedisConnection connection) {
        if (options.shards() != null) {
            return options.shards();
        }
        return connection instanceof RedisConnection.Cluster ? RedisOptions.CLUSTER_SHARDS : 1;
    }

    public static RedisStore open(RedisEndpoint endpoint, String index, RedisOptions options, StoreAccess access) {
        RedisConnection connection = RedisConnector.connect(endpoint);
        try {
            RedisKeys keys = RedisKeys.of(index, options.prefix());
            List<String> meta = connection.commands().hmget(keys.meta(), "engine", VectorSetStore.SHARDS_FIELD,
                    RedisStore.PREFIX_FIELD);
            String recorded = meta.get(0);
            String recordedPrefix = meta.get(2);
            if (recordedPrefix != null) {
                // Read back from Redis, where anything may have written it: the same rules as --prefix.
                RedisOptions.prefixProblem(recordedPrefix).ifPresent(problem -> {
                    throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + index + "' on " + endpoint
                            + ": the prefix in its meta record " + problem);
                });
            }
            if (recordedPrefix != null && !recordedPrefix.equals(keys.prefix())) {
                if (options.prefix() != null) {
                    throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + index + "' on " + endpoint
                            + " keeps its passages under '" + Printable.line(recordedPrefix, 80) + "', not '" + options.prefix()
                            + "': drop --prefix");
                }
                keys = new RedisKeys(index, recordedPrefix);
            }
            RedisEngine engine;
            if (options.engine() != null) {
                engine = RedisEngine.of(options.engine());
                if (recorded != null && !recorded.equals(engine.id())) {
                    throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + index + "' on " + endpoint
                            + " was built with the " + recorded + " engine, not " + engine.id()
                            + ": drop --redis-engine, or start over with 'ingest drop --yes'");
                }
            } else if (recorded != null) {
                engine = RedisEngine.of(recorded);
            } else {
                engine = RedisConnector.detectEngine(connection, endpoint);
            }
            return switch (engine) {
                case VECTORSET -> new VectorSetStore(connection, endpoint, keys.withShards(VectorSetStore.recordedShards(meta.get(1))),
                        options.quantization(), shardsForNewIndex(options, connection), access);
                case SEARCH -> new RediSearchStore(connection, endpoint, keys, options, access);
            };
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }
}

package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.redis.RedisConnector.RedisEngine;
import redis.clients.jedis.UnifiedJedis;

/**
 * Opens the Redis store of an index with the engine it was built with: the one its meta record
 * names, else the one asked for, else the best the server offers.
 */
public final class RedisStores {
    private RedisStores() {
    }

    public static RedisStore open(RedisEndpoint endpoint, String index, RedisOptions options, boolean write) {
        UnifiedJedis redis = RedisConnector.connect(endpoint);
        try {
            RedisKeys keys = RedisKeys.of(index, options.prefix());
            String recorded = redis.hget(keys.meta(), "engine");
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
                engine = RedisConnector.detectEngine(redis, endpoint);
            }
            return switch (engine) {
                case VECTORSET -> new VectorSetStore(redis, endpoint, keys, options.quantization(), write);
                case SEARCH -> new RediSearchStore(redis, endpoint, keys, options, write);
            };
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }
}

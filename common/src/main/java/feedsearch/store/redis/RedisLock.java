package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The ingest lock: a key set with NX and an expiry, renewed while we run, so a crashed ingest
 * frees the index within {@link #TTL_MILLIS} and a live one is never overtaken. The value names
 * the holder for other processes' messages and ends in a random token, so only the holder can
 * renew or release it.
 */
final class RedisLock implements AutoCloseable {
    static final long TTL_MILLIS = 30_000;
    private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private final UnifiedJedis redis;
    private final String key;
    private final String value;
    private final ScheduledExecutorService renewer;

    private RedisLock(UnifiedJedis redis, String key, String value) {
        this.redis = redis;
        this.key = key;
        this.value = value;
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "feedsearch-lock");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleAtFixedRate(this::renew, TTL_MILLIS / 3, TTL_MILLIS / 3, TimeUnit.MILLISECONDS);
    }

    static RedisLock acquire(UnifiedJedis redis, String key, String what) {
        String value = "ingest pid " + ProcessHandle.current().pid() + " " + UUID.randomUUID();
        if (!"OK".equals(redis.set(key, value, new SetParams().nx().px(TTL_MILLIS)))) {
            String holder = redis.get(key);
            long ttl = redis.pttl(key);
            throw new FeedsearchException(ExitCode.LOCKED, what + " is locked: another ingest is writing to it ("
                    + (holder == null ? "just released" : holder.substring(0, holder.lastIndexOf(' ')))
                    + "; lock " + key + " expires in " + Math.max(0, ttl / 1000) + "s unless renewed)");
        }
        return new RedisLock(redis, key, value);
    }

    private void renew() {
        try {
            redis.eval(RENEW, List.of(key), List.of(value, String.valueOf(TTL_MILLIS)));
        } catch (RuntimeException ignored) {
            // Redis is gone: the writes fail with a clear message of their own.
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            redis.eval(RELEASE, List.of(key), List.of(value));
        } catch (RuntimeException ignored) {
            // The lock expires by itself.
        }
    }
}

package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.WriteLock;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Ingest locks: keys set with NX and an expiry, renewed while we run, so a crashed ingest frees
 * them within {@link #TTL_MILLIS} and a live one is never overtaken. The expiry outlasts the
 * failover a cluster's writes ride through ({@link RedisConnection.Cluster#RIDE_THROUGH}), with
 * room for a renewal that waited on it: renewals go one key after another on one thread, so a
 * key on a healthy node may wait for one on the node failing over. The value names the holder
 * for other processes' messages and ends in a random token, so only the holder can renew or
 * release them. One lock may hold many keys (one per feed), each on its own cluster slot: every
 * command names a single key. An ingest stopped by a signal (Ctrl-C, a cron timeout's SIGTERM)
 * releases them on its way out, so the next run need not wait for the expiry.
 */
final class RedisLock implements WriteLock {
    static final long TTL_MILLIS = RedisConnection.Cluster.RIDE_THROUGH.toMillis() + 15_000;
    private static final long RENEW_EVERY_MILLIS = 5_000;
    private static final long EXIT_RELEASE_MILLIS = 2_000;
    private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "return redis.call('del', KEYS[1]) else return 0 end";

    private final UnifiedJedis redis;
    private final List<String> keys;
    private final String value;
    private final ScheduledExecutorService renewer;
    private final Thread releaseOnExit;

    private RedisLock(UnifiedJedis redis, List<String> keys, String value) {
        this.redis = redis;
        this.keys = keys;
        this.value = value;
        this.releaseOnExit = new Thread(this::releaseWhileExiting, "feedsearch-lock-release");
        Runtime.getRuntime().addShutdownHook(releaseOnExit);
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "feedsearch-lock");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleAtFixedRate(this::renew, RENEW_EVERY_MILLIS, RENEW_EVERY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes every key or none.
     *
     * @param whatOf for the message when a key is taken: what it guards, e.g. "feed x of index y"
     */
    static RedisLock acquire(UnifiedJedis redis, List<String> keys, IntFunction<String> whatOf) {
        String value = "ingest pid " + ProcessHandle.current().pid() + " " + UUID.randomUUID();
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (!"OK".equals(redis.set(key, value, new SetParams().nx().px(TTL_MILLIS)))) {
                release(redis, taken, value);
                throw locked(redis, key, whatOf.apply(i));
            }
            taken.add(key);
        }
        return new RedisLock(redis, List.copyOf(keys), value);
    }

    /** Exit 5, naming who holds {@code key}. */
    static FeedsearchException locked(UnifiedJedis redis, String key, String what) {
        String holder = redis.get(key);
        long ttl = redis.pttl(key);
        return new FeedsearchException(ExitCode.LOCKED, what + " is locked: another ingest is writing to it ("
                + (holder == null ? "just released" : holder.substring(0, holder.lastIndexOf(' ')))
                + "; lock " + key + " expires in " + Math.max(0, ttl / 1000) + "s unless renewed)");
    }

    private void renew() {
        for (String key : keys) {
            try {
                redis.eval(RENEW, List.of(key), List.of(value, String.valueOf(TTL_MILLIS)));
            } catch (RuntimeException ignored) {
                // Redis is gone: the writes fail with a clear message of their own.
            }
        }
    }

    /** A Redis that is away must not hold the exit up: past a short wait the keys are left to expire. */
    private void releaseWhileExiting() {
        Thread release = new Thread(() -> release(redis, keys, value), "feedsearch-lock-release-keys");
        release.setDaemon(true);
        release.start();
        try {
            release.join(EXIT_RELEASE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void release(UnifiedJedis redis, List<String> keys, String value) {
        for (String key : keys) {
            try {
                redis.eval(RELEASE, List.of(key), List.of(value));
            } catch (RuntimeException ignored) {
                // The lock expires by itself.
            }
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(releaseOnExit);
        } catch (IllegalStateException exiting) {
            // The hook is releasing them already.
        }
        release(redis, keys, value);
    }
}

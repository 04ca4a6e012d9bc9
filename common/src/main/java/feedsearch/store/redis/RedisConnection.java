package feedsearch.store.redis;

import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * A connected Redis, one server or a cluster, and the few things the stores do differently on
 * each: a transaction (on a cluster, on the node that serves its keys' slot), SCAN (on a
 * cluster, of every node) and deleting many keys (on a cluster, each routed to its slot).
 * Everything else goes through {@link #commands()}, which the cluster client routes itself.
 */
public sealed interface RedisConnection extends AutoCloseable {

    UnifiedJedis commands();

    /**
     * WATCHes {@code key}, reads with {@code read} (on any connection: the watch covers whatever
     * changes the key after it), queues in one MULTI what {@code queue} adds given what was read
     * (keys all in {@code key}'s slot) and EXECs it. Empty when {@code key} changed in between
     * (another process wrote the same post): the caller reads again. On a cluster with replicas it
     * returns once a replica has the writes too, or after {@link Cluster#REPLICA_WAIT_MILLIS}, so
     * that a failover right after loses little.
     */
    <R> Optional<List<Object>> transaction(String key, Supplier<R> read, BiConsumer<AbstractTransaction, R> queue);

    /** Every key matching {@code pattern}, each once. */
    List<String> scan(String pattern);

    void unlink(List<String> keys);

    /** For messages: where this is, and on a cluster how many nodes it has. */
    String describe(RedisEndpoint endpoint);

    /**
     * Runs work that may be repeated as a whole (reads, or a write that rewrites what it writes),
     * repeating it while a cluster fails over, for at most {@link Cluster#RIDE_THROUGH}; on one
     * server, once.
     *
     * @param keys what the work touches: between attempts a command on each finds where its slot went
     */
    <T> T idempotent(List<String> keys, Supplier<T> work);

    /** Runs a command that names no key on one node, on a cluster any master: all answer alike for it. */
    <T> T onAnyNode(Function<UnifiedJedis, T> command);

    @Override
    void close();

    /** One server. */
    record Single(UnifiedJedis commands) implements RedisConnection {
        @Override
        public <R> Optional<List<Object>> transaction(String key, Supplier<R> read, BiConsumer<AbstractTransaction, R> queue) {
            try (AbstractTransaction tx = commands.transaction(false)) {
                return watched(tx, key, read, queue);
            }
        }

        @Override
        public List<String> scan(String pattern) {
            List<String> found = new ArrayList<>();
            scanInto(commands::scan, pattern, found);
            return found;
        }

        @Override
        public void unlink(List<String> keys) {
            for (int i = 0; i < keys.size(); i += 500) {
                commands.unlink(keys.subList(i, Math.min(keys.size(), i + 500)).toArray(String[]::new));
            }
        }

        @Override
        public String describe(RedisEndpoint endpoint) {
            return endpoint.toString();
        }

        @Override
        public <T> T idempotent(List<String> keys, Supplier<T> work) {
            return work.get();
        }

        @Override
        public <T> T onAnyNode(Function<UnifiedJedis, T> command) {
            return command.apply(commands);
        }

        @Override
        public void close() {
            commands.close();
        }
    }

    /**
     * A Redis Cluster. The client follows MOVED and ASK and refreshes its slot map by itself for
     * single commands; a transaction is ours to place, and to place again after a failover.
     */
    final class Cluster implements RedisConnection {
        /** Longer than a failover takes with Redis's default node timeout (15 s) and a vote. */
        static final Duration RIDE_THROUGH = Duration.ofSeconds(45);
        static final int REPLICA_WAIT_MILLIS = 1_000;
        /** After a WAIT no replica answered (a master whose replica failed or was promoted), how long its slot goes without. */
        private static final long NO_REPLICA_BACKOFF_NANOS = Duration.ofSeconds(30).toNanos();

        private final RedisClusterClient commands;
        /** Nodes serving slots when we connected. */
        private final int masters;
        /** Nodes known then, replicas included. */
        private final int nodes;
        /** Slots whose master had no replica to WAIT for, until when (System.nanoTime()). */
        private final Map<Integer, Long> withoutReplicaUntil = new ConcurrentHashMap<>();

        public Cluster(RedisClusterClient commands, int masters, int nodes) {
            this.commands = commands;
            this.masters = masters;
            this.nodes = nodes;
        }

        @Override
        public RedisClusterClient commands() {
            return commands;
        }

        @Override
        public <R> Optional<List<Object>> transaction(String key, Supplier<R> read, BiConsumer<AbstractTransaction, R> queue) {
            int slot = JedisClusterCRC16.getSlot(key);
            try (Connection connection = commands.getConnectionFromSlot(slot)) {
                Optional<List<Object>> replies;
                try (Transaction tx = new Transaction(connection, false, false)) {
                    replies = watched(tx, key, read, queue);
                }
                if (replies.isPresent() && mayHaveReplica(slot)) {
                    Object acked = connection.executeCommand(new CommandArguments(Protocol.Command.WAIT).add(1).add(REPLICA_WAIT_MILLIS));
                    if (Long.valueOf(0).equals(acked)) {
                        withoutReplicaUntil.put(slot, System.nanoTime() + NO_REPLICA_BACKOFF_NANOS);
                    }
                }
                return replies;
            }
        }

        private boolean mayHaveReplica(int slot) {
            Long until = withoutReplicaUntil.get(slot);
            return nodes > masters && (until == null || System.nanoTime() - until > 0);
        }

        @Override
        public List<String> scan(String pattern) {
            Set<String> found = new LinkedHashSet<>();
            for (ConnectionPool pool : commands.getClusterNodes().values()) {
                try (Connection connection = pool.getResource()) {
                    Jedis node = new Jedis(connection);
                    // Masters only: a replica may lag (a lock released a moment ago) or be down.
                    if (node.info("replication").contains("role:master")) {
                        scanInto(node::scan, pattern, found);
                    }
                }
            }
            return new ArrayList<>(found);
        }

        @Override
        public void unlink(List<String> keys) {
            for (int i = 0; i < keys.size(); i += 500) {
                List<String> batch = keys.subList(i, Math.min(keys.size(), i + 500));
                List<Response<Long>> replies = new ArrayList<>(batch.size());
                try (AbstractPipeline pipeline = commands.pipelined()) {
                    batch.forEach(key -> replies.add(pipeline.unlink(key)));
                    pipeline.sync();
                }
                for (int k = 0; k < batch.size(); k++) {
                    try {
                        replies.get(k).get();
                    } catch (RuntimeException lostOrMoved) {
                        // A cluster pipeline neither follows MOVED nor says a node went away;
                        // the single command does both, within the client's retries.
                        commands.unlink(batch.get(k));
                    }
                }
            }
        }

        @Override
        public String describe(RedisEndpoint endpoint) {
            return "Redis Cluster " + endpoint + " (" + masters + " masters, " + nodes + " nodes)";
        }

        @Override
        public <T> T idempotent(List<String> keys, Supplier<T> work) {
            long deadline = System.nanoTime() + RIDE_THROUGH.toNanos();
            long pause = 100;
            while (true) {
                try {
                    return work.get();
                } catch (RuntimeException e) {
                    if (!isFailover(e) || System.nanoTime() + pause * 1_000_000 > deadline) {
                        throw e;
                    }
                }
                sleep(pause);
                pause = Math.min(pause * 2, 2_000);
                try {
                    // A single command on a key makes the client follow MOVED and renew its slot
                    // map, which the next transaction or pipeline then uses; pipelines and
                    // transactions do neither themselves.
                    for (String key : keys) {
                        commands.exists(key);
                    }
                } catch (RuntimeException stillFailingOver) {
                    // the next attempt will tell
                }
            }
        }

        @Override
        public <T> T onAnyNode(Function<UnifiedJedis, T> command) {
            // A random slot's master: never a replica, and the load spread over the masters.
            try (Connection connection = commands.getConnectionFromSlot(ThreadLocalRandom.current().nextInt(16_384))) {
                return command.apply(new UnifiedJedis(connection));
            }
        }

        /**
         * What a cluster says while a slot changes hands: a lost node (also a pipeline reply that
         * never came), a redirect, a slot not served yet.
         */
        static boolean isFailover(Throwable e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof JedisConnectionException || cause instanceof JedisClusterOperationException
                        || cause instanceof JedisDataException data && redirected(data) || replyNeverCame(cause)) {
                    return true;
                }
            }
            return false;
        }

        /** What Jedis says when a pipeline's reply never came: its node was lost mid-pipeline. */
        static boolean replyNeverCame(Throwable e) {
            return e instanceof IllegalStateException && e.getMessage() != null
                    && e.getMessage().startsWith("Please close pipeline");
        }

        private static boolean redirected(JedisDataException e) {
            return Stream.concat(Stream.of(e), Arrays.stream(e.getSuppressed()))
                    .map(Throwable::getMessage)
                    .filter(Objects::nonNull)
                    .anyMatch(m -> Stream.of("MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN", "LOADING", "READONLY")
                            .anyMatch(code -> m.startsWith(code) || m.contains("-" + code) || m.contains(": " + code)));
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Redis Cluster failed over", e);
            }
        }

        @Override
        public void close() {
            commands.close();
        }
    }

    private static <R> Optional<List<Object>> watched(AbstractTransaction tx, String key, Supplier<R> read,
                                                      BiConsumer<AbstractTransaction, R> queue) {
        tx.watch(key);
        R before = read.get();
        tx.multi();
        queue.accept(tx, before);
        return Optional.ofNullable(tx.exec());
    }

    /** One node's SCAN, all pages. */
    private static void scanInto(Scanner scanner, String pattern, java.util.Collection<String> found) {
        ScanParams params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = scanner.scan(cursor, params);
            found.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    @FunctionalInterface
    interface Scanner {
        ScanResult<String> scan(String cursor, ScanParams params);
    }
}

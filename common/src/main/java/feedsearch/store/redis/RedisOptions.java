package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to lay out an index in Redis.
 *
 * @param engine         {@code search} or {@code vectorset}; null to use the index's own, else detect
 * @param prefix         key prefix of passage hashes, the one FT.CREATE indexes; null for the index's default
 * @param quantization   vector sets: how VADD stores new vectors
 * @param algorithm      query engine: {@code hnsw} or {@code flat}
 * @param metric         query engine: {@code cosine}, {@code l2} or {@code ip}
 * @param m              query engine, HNSW: edges per node; null for the engine's default
 * @param efConstruction query engine, HNSW: build-time candidates; null for the default
 * @param efRuntime      query engine, HNSW: query-time candidates; null for the default
 * @param shards         vector sets: how many sets a new index spreads its posts over; null for
 *                       {@link #CLUSTER_SHARDS} on a cluster and one set on one server
 */
public record RedisOptions(String engine, String prefix, VectorSetStore.Quantization quantization, String algorithm,
                           String metric, Integer m, Integer efConstruction, Integer efRuntime, Integer shards) {

    /**
     * On a cluster: enough for up to 16 masters to hold a shard each. Not on one server, where a
     * query's VSIM to each of 16 sets took 19.6 ms at 100k passages against 0.7 ms for one set
     * (scripts/bench-redis.sh).
     */
    public static final int CLUSTER_SHARDS = 16;
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:/-]{1,64}");
    private static final Pattern RECORD_KEYS = Pattern.compile(":(post:|feed:|lock|meta|vectors)");

    /** Q8: at 100k passages, recall@10 0.97 with half the memory of full precision and faster writes (scripts/bench-redis.sh). */
    public static final RedisOptions DEFAULTS =
            new RedisOptions(null, null, VectorSetStore.Quantization.Q8, "hnsw", "cosine", null, null, null, null);

    /**
     * @throws FeedsearchException (exit 2) for a prefix that is empty (every key of the database)
     *                             or holds what Redis reads in a key pattern or a hash tag
     */
    public RedisOptions withEngine(String engine, String prefix) {
        if (prefix != null) {
            prefixProblem(prefix).ifPresent(problem -> {
                throw new FeedsearchException(ExitCode.USAGE, "--prefix " + problem);
            });
        }
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }

    /** Why a prefix cannot be one, in words that follow its name; empty when it can. */
    static Optional<String> prefixProblem(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            return Optional.of("must be 1-64 letters, digits or '.', '_', '-', ':', '/', not '" + Printable.line(prefix, 80) + "'");
        }
        if (RECORD_KEYS.matcher(prefix).find()) {
            // posts:post: would put passages among the records of the index posts, counted and dropped with them.
            return Optional.of("'" + prefix + "' names an index's own records (<index>:post:, :feed:, :lock, :meta, :vectors)");
        }
        return Optional.empty();
    }

    public RedisOptions withLayout(VectorSetStore.Quantization quantization, String algorithm, String metric, Integer m,
                                   Integer efConstruction) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }

    public RedisOptions withEfRuntime(Integer efRuntime) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }

    public RedisOptions withShards(Integer shards) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }
}

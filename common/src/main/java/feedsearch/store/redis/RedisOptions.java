package feedsearch.store.redis;

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
 * @param shards         vector sets: how many sets a new index spreads its posts over
 */
public record RedisOptions(String engine, String prefix, VectorSetStore.Quantization quantization, String algorithm,
                           String metric, Integer m, Integer efConstruction, Integer efRuntime, int shards) {

    /** Enough for a cluster of up to 16 masters to hold a shard each, few enough that a query's VSIM to each costs little. */
    public static final int DEFAULT_SHARDS = 16;

    public static final RedisOptions DEFAULTS =
            new RedisOptions(null, null, VectorSetStore.Quantization.NOQUANT, "hnsw", "cosine", null, null, null, DEFAULT_SHARDS);

    public RedisOptions withEngine(String engine, String prefix) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }

    public RedisOptions withLayout(VectorSetStore.Quantization quantization, String algorithm, String metric, Integer m,
                                   Integer efConstruction) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }

    public RedisOptions withEfRuntime(Integer efRuntime) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }

    public RedisOptions withShards(int shards) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime, shards);
    }
}

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
 */
public record RedisOptions(String engine, String prefix, VectorSetStore.Quantization quantization, String algorithm,
                           String metric, Integer m, Integer efConstruction, Integer efRuntime) {

    public static final RedisOptions DEFAULTS =
            new RedisOptions(null, null, VectorSetStore.Quantization.NOQUANT, "hnsw", "cosine", null, null, null);

    public RedisOptions withEngine(String engine, String prefix) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime);
    }

    public RedisOptions withLayout(VectorSetStore.Quantization quantization, String algorithm, String metric, Integer m,
                                   Integer efConstruction) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime);
    }

    public RedisOptions withEfRuntime(Integer efRuntime) {
        return new RedisOptions(engine, prefix, quantization, algorithm, metric, m, efConstruction, efRuntime);
    }
}

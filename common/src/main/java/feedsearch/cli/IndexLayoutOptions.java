package feedsearch.cli;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.config.Settings;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.ShardTags;
import feedsearch.store.redis.VectorSetStore;
import picocli.CommandLine.Option;

/** How a new Redis index lays out its vectors; an existing index keeps its own layout. */
public final class IndexLayoutOptions {
    enum Algorithm { hnsw, flat }

    enum Metric { cosine, l2, ip }

    enum Quantization { none, q8, bin }

    @Option(names = "--algorithm", paramLabel = "hnsw|flat", defaultValue = "hnsw",
            description = "Query engine: vector index algorithm (default: ${DEFAULT-VALUE}).")
    Algorithm algorithm;

    @Option(names = "--metric", paramLabel = "cosine|l2|ip", defaultValue = "cosine",
            description = "Query engine: distance metric (default: ${DEFAULT-VALUE}).")
    Metric metric;

    @Option(names = "--m", paramLabel = "N", description = "Query engine, HNSW: edges per node (engine default 16).")
    Integer m;

    @Option(names = "--ef-construction", paramLabel = "N",
            description = "Query engine, HNSW: candidates while building (engine default 200).")
    Integer efConstruction;

    @Option(names = "--ef-runtime", paramLabel = "N",
            description = "Query engine, HNSW: candidates while searching (engine default 10).")
    Integer efRuntime;

    @Option(names = "--quantization", paramLabel = "none|q8|bin", defaultValue = "q8",
            description = "Vector sets: how vectors are stored (default: ${DEFAULT-VALUE}, 8-bit: half the memory of none, "
                    + "q8 is VADD's own default and a little less exact).")
    Quantization quantization;

    @Option(names = "--shards", paramLabel = "N",
            description = "Vector sets: how many sets a new index spreads its posts over, so that a Redis Cluster "
                    + "can hold them on every master; queries ask each set (default: " + RedisOptions.CLUSTER_SHARDS
                    + " on a cluster, 1 on one server; 1 to " + ShardTags.MAX_SHARDS + ").")
    Integer shards;

    Settings applyTo(Settings settings) {
        if (shards != null && (shards < 1 || shards > ShardTags.MAX_SHARDS)) {
            throw new FeedsearchException(ExitCode.USAGE, "--shards must be between 1 and " + ShardTags.MAX_SHARDS);
        }
        VectorSetStore.Quantization q = switch (quantization) {
            case none -> VectorSetStore.Quantization.NOQUANT;
            case q8 -> VectorSetStore.Quantization.Q8;
            case bin -> VectorSetStore.Quantization.BIN;
        };
        return settings.withRedis(settings.redis().withLayout(q, algorithm.name(), metric.name(), m, efConstruction)
                .withEfRuntime(efRuntime).withShards(shards));
    }
}

package feedsearch.store;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How an index was built, recorded beside it so that questions are always embedded the way its
 * posts were, and so that a mismatch is an error rather than a silently useless ranking.
 */
public record IndexMeta(String engine, String embedder, String model, int dimension, String metric,
                        String algorithm, String vectorType, int schemaVersion, Instant created) {
    /** The layout this release writes. */
    public static final int SCHEMA_VERSION = 2;
    /** From this version on, passages have a text index and hybrid ranking works. */
    public static final int TEXT_INDEX_VERSION = 2;

    /**
     * Why vectors of this embedder and model cannot go into or query this index; empty if they
     * can. An index built outside feedsearch records no embedder: only its dimension is checked.
     */
    public Optional<String> incompatibility(String wantedEmbedder, String wantedModel, int wantedDimension) {
        List<String> differences = new ArrayList<>();
        if (recordsEmbedder() && (!embedder.equals(wantedEmbedder) || !model.equals(wantedModel))) {
            differences.add("it holds " + embedder + "/" + model + " vectors, not " + wantedEmbedder + "/" + wantedModel);
        }
        if (wantedDimension > 0 && dimension != wantedDimension) {
            differences.add("its vectors have " + dimension + " dimensions, not " + wantedDimension);
        }
        return differences.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", differences));
    }

    /**
     * @throws FeedsearchException (exit 4) naming the flags that fit, when vectors of this
     *                             embedder and model cannot go into the index
     */
    public void requireAccepts(String store, String wantedEmbedder, String wantedModel, int wantedDimension) {
        incompatibility(wantedEmbedder, wantedModel, wantedDimension).ifPresent(why -> {
            throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, store + " cannot take these vectors: " + why
                    + ". Use " + embedderFlags() + ", or start over with 'ingest drop --yes'");
        });
    }

    /** False for an index built outside feedsearch, such as the source blog post's. */
    public boolean recordsEmbedder() {
        return embedder != null && model != null;
    }

    /** The flags that select this index's embedder, for messages that tell the user a fix. */
    public String embedderFlags() {
        return "--embedder " + embedder + " --model " + model;
    }
}

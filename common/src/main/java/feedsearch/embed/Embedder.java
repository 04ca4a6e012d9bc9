package feedsearch.embed;

import java.util.List;

/**
 * Turns texts into vectors. Implementations are thread-safe; one instance serves a whole run.
 */
public interface Embedder extends AutoCloseable {

    /** One vector per text, in order. */
    List<float[]> embed(List<String> texts);

    int dimension();

    /** The embedder's kind as recorded in the index, e.g. {@code local} or {@code openai}. */
    String name();

    /** The model, as recorded in the index so questions are embedded like the posts were. */
    String modelId();

    /** Tokens the model reads of one input; anything longer would be cut or rejected. */
    int maxInputTokens();

    int countTokens(String text);

    /**
     * Most texts one {@link #embed} call should carry. Ingest gathers the passages of many posts
     * into calls of up to this size (a post is never split between calls), so a remote API sees
     * few large requests; one call is also the unit that fails.
     */
    default int batchInputs() {
        return 64;
    }

    /**
     * Whether several {@link #embed} calls at once go faster: true for a remote API, which waits on
     * the network and counts requests; false for an in-process model, which spreads one call over
     * every core already, so ingest keeps one call going and sends what it has whenever none is.
     */
    default boolean embedsInParallel() {
        return false;
    }

    /**
     * Starts, in the background, what the first {@link #embed} call would otherwise wait for (a
     * local model's load). For a caller that is about to embed; nothing for a remote API.
     */
    default void warmUp() {
    }

    /** Most tokens, all texts together, one {@link #embed} call should carry; unlimited by default. */
    default long batchTokens() {
        return Long.MAX_VALUE;
    }

    /** Requests and tokens so far; nothing for a local model. */
    default EmbeddingUsage usage() {
        return EmbeddingUsage.NONE;
    }

    @Override
    default void close() {
    }
}

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

    /** Requests and tokens so far; nothing for a local model. */
    default EmbeddingUsage usage() {
        return EmbeddingUsage.NONE;
    }

    @Override
    default void close() {
    }
}

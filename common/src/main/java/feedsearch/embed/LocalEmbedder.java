package feedsearch.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.util.ArrayList;
import java.util.List;

/**
 * all-MiniLM-L6-v2 (quantized ONNX, 384 dimensions) run in process by langchain4j: no network, no
 * key. The model is loaded once per JVM on first use and shared, since it is immutable and
 * thread-safe and loading it costs about a second.
 */
public final class LocalEmbedder implements Embedder {
    public static final String NAME = "local";
    public static final String MODEL_ID = "all-minilm-l6-v2-q";
    private static final int DIMENSION = 384;
    /** The model was trained on 256 word pieces; [CLS] and [SEP] take two of them. */
    private static final int MAX_INPUT_TOKENS = 254;

    private static final class Model {
        static final AllMiniLmL6V2QuantizedEmbeddingModel INSTANCE = new AllMiniLmL6V2QuantizedEmbeddingModel();
        // Same BERT uncased vocabulary as the model's own tokenizer.
        static final HuggingFaceTokenCountEstimator TOKENS = new HuggingFaceTokenCountEstimator();
    }

    public static boolean supports(String modelId) {
        return modelId == null || MODEL_ID.equals(modelId);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        List<Embedding> embeddings = Model.INSTANCE.embedAll(segments).content();
        List<float[]> vectors = new ArrayList<>(embeddings.size());
        for (Embedding e : embeddings) {
            vectors.add(e.vector());
        }
        return vectors;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public int maxInputTokens() {
        return MAX_INPUT_TOKENS;
    }

    @Override
    public int countTokens(String text) {
        return Model.TOKENS.estimateTokenCountInText(text);
    }
}

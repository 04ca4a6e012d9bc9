package feedsearch.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.OnnxEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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

    /**
     * Names a directory holding the model's two files as the jar ships them (the build unpacks
     * them there, and bin/ launchers pass it): read from disk, the model skips inflating 16 MB
     * from the jar on every start. Without it, or when a file is missing, the jar's copy is used.
     */
    public static final String MODEL_DIR_PROPERTY = "feedsearch.model.dir";
    static final String MODEL_FILE = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_FILE = "all-minilm-l6-v2-q-tokenizer.json";

    /**
     * The model, loaded when first used. Everything that names its classes lives in here: the
     * verifier of LocalEmbedder itself then loads none of them, so a run that embeds nothing
     * (an unchanged feed) never touches the model's code.
     */
    private static final class Model {
        static final AbstractInProcessEmbeddingModel INSTANCE = load(System.getProperty(MODEL_DIR_PROPERTY));

        /** The same model and tokenizer, read from {@code dir} when it holds them, else from the jar. */
        static AbstractInProcessEmbeddingModel load(String dir) {
            if (dir != null && !dir.isBlank()) {
                Path model = Path.of(dir, MODEL_FILE);
                Path tokenizer = Path.of(dir, TOKENIZER_FILE);
                if (Files.isRegularFile(model) && Files.isRegularFile(tokenizer)) {
                    // What AllMiniLmL6V2QuantizedEmbeddingModel builds from the jar: same files, mean pooling.
                    return new OnnxEmbeddingModel(model, tokenizer, PoolingMode.MEAN);
                }
            }
            return new AllMiniLmL6V2QuantizedEmbeddingModel();
        }
    }

    /** Apart from the model: a query counts no tokens, and a run that embeds nothing loads neither. */
    private static final class Tokens {
        // Same BERT uncased vocabulary as the model's own tokenizer.
        static final HuggingFaceTokenCountEstimator TOKENS = new HuggingFaceTokenCountEstimator();
    }

    /** Why loading the model on the preload thread failed, for the thread that then needs it. */
    private static volatile Throwable preloadFailure;

    /**
     * Starts loading the model on a daemon thread, so that it overlaps whatever the caller does
     * next (a query opens its store meanwhile); {@link #embed} waits for it. Costs nothing extra
     * when the model is then used; call it only when it very likely will be.
     */
    public static void preload() {
        Thread loader = new Thread(new Preload(), "feedsearch-model-load");
        loader.setDaemon(true);
        loader.start();
    }

    /** A class rather than a lambda: a cold start spins up no lambda machinery for it. */
    private static final class Preload implements Runnable {
        @Override
        public void run() {
            try {
                Objects.requireNonNull(Model.INSTANCE);
            } catch (Throwable e) {
                preloadFailure = e;
            }
        }
    }

    private static AbstractInProcessEmbeddingModel model() {
        try {
            return Model.INSTANCE;
        } catch (NoClassDefFoundError e) {
            Throwable first = preloadFailure;
            if (first != null) {
                throw new IllegalStateException("the local embedding model could not be loaded: " + first, first);
            }
            throw e;
        }
    }

    public static boolean supports(String modelId) {
        return modelId == null || MODEL_ID.equals(modelId);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        List<TextSegment> segments = texts.stream().map(TextSegment::from).toList();
        List<Embedding> embeddings = model().embedAll(segments).content();
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
        return Tokens.TOKENS.estimateTokenCountInText(text);
    }
}

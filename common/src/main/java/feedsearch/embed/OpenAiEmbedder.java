package feedsearch.embed;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.theokanning.openai.embedding.Embedding;
import com.theokanning.openai.embedding.EmbeddingRequest;
import com.theokanning.openai.embedding.EmbeddingResult;
import feedsearch.openai.OpenAiClient;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Embeddings from OpenAI, or any server speaking its API (Ollama, LocalAI, vLLM), through
 * TheoKanning's client. Many passages go in one request, within the API's limits on inputs and
 * tokens per request; known models' dimensions are known in advance, others' are learned from
 * the first response.
 */
public final class OpenAiEmbedder implements Embedder {
    public static final String NAME = "openai";
    public static final String DEFAULT_MODEL = "text-embedding-3-small";
    private static final Map<String, Integer> KNOWN_DIMENSIONS = Map.of(
            "text-embedding-3-small", 1536, "text-embedding-3-large", 3072, "text-embedding-ada-002", 1536);
    /** OpenAI's embedding models read at most 8191 tokens of one input. */
    private static final int MAX_INPUT_TOKENS = 8191;
    /** The API takes at most 2048 inputs, and 300,000 tokens, per request; stay under both. */
    static final int MAX_INPUTS_PER_REQUEST = 2048;
    static final int MAX_TOKENS_PER_REQUEST = 250_000;
    /**
     * Passages ingest gathers into one request: half the API's limit, which keeps requests per
     * 1,000 passages at one or two while an answer (parsed by the library into boxed doubles,
     * about 30 MB for 1,024 vectors of 1,536 dimensions) stays modest with several in flight.
     * About as many ~240-token passages also reach the token cap.
     */
    static final int BATCH_INPUTS = 1024;
    private static final Encoding TOKENS = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    private final OpenAiClient client;
    private final String model;
    private volatile int dimension;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();

    public OpenAiEmbedder(OpenAiClient client, String model) {
        this.client = client;
        this.model = model == null ? DEFAULT_MODEL : model;
        this.dimension = KNOWN_DIMENSIONS.getOrDefault(this.model, 0);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        int start = 0;
        while (start < texts.size()) {
            int end = start;
            long batchTokens = 0;
            while (end < texts.size() && end - start < MAX_INPUTS_PER_REQUEST) {
                int t = countTokens(texts.get(end));
                if (end > start && batchTokens + t > MAX_TOKENS_PER_REQUEST) {
                    break;
                }
                batchTokens += t;
                end++;
            }
            vectors.addAll(request(texts.subList(start, end)));
            start = end;
        }
        return vectors;
    }

    private List<float[]> request(List<String> batch) {
        EmbeddingRequest request = EmbeddingRequest.builder().model(model).input(List.copyOf(batch)).build();
        EmbeddingResult result = client.execute("embedding " + batch.size() + " passages with " + model,
                () -> client.api().createEmbeddings(request));
        requests.incrementAndGet();
        if (result.getUsage() != null) {
            tokens.addAndGet(result.getUsage().getTotalTokens());
        }
        List<Embedding> data = new ArrayList<>(result.getData());
        if (data.size() != batch.size()) {
            throw new IllegalStateException("asked for " + batch.size() + " embeddings, got " + data.size());
        }
        data.sort(Comparator.comparing(Embedding::getIndex)); // the API may answer out of order
        List<float[]> vectors = new ArrayList<>(data.size());
        for (Embedding e : data) {
            float[] v = new float[e.getEmbedding().size()];
            boolean direction = false;
            for (int i = 0; i < v.length; i++) {
                v[i] = e.getEmbedding().get(i).floatValue();
                if (!Float.isFinite(v[i])) {
                    // Past float's range (1e39): no store can compare it.
                    throw new IllegalStateException(model + " returned a vector with a value float cannot hold: " + e.getEmbedding().get(i));
                }
                direction |= v[i] != 0;
            }
            if (!direction) {
                throw new IllegalStateException(model + " returned a zero vector, which ranks nothing");
            }
            if (dimension == 0) {
                dimension = v.length;
            } else if (v.length != dimension) {
                throw new IllegalStateException(model + " returned " + v.length + " dimensions, expected " + dimension);
            }
            vectors.add(v);
        }
        return vectors;
    }

    /** Known in advance for OpenAI's models; for others, one request finds out. */
    @Override
    public int dimension() {
        if (dimension == 0) {
            embed(List.of("dimension probe"));
        }
        return dimension;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String modelId() {
        return model;
    }

    @Override
    public int maxInputTokens() {
        return MAX_INPUT_TOKENS;
    }

    @Override
    public int countTokens(String text) {
        return TOKENS.countTokens(text);
    }

    @Override
    public boolean embedsInParallel() {
        return true;
    }

    @Override
    public int batchInputs() {
        return BATCH_INPUTS;
    }

    @Override
    public long batchTokens() {
        return MAX_TOKENS_PER_REQUEST;
    }

    @Override
    public EmbeddingUsage usage() {
        return new EmbeddingUsage(requests.get(), tokens.get());
    }

    @Override
    public void close() {
        client.close();
    }
}

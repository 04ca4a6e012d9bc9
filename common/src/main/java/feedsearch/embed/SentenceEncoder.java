package feedsearch.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A BERT sentence model's ONNX session and tokenizer: a text is tokenized once, run, and its
 * token vectors averaged and scaled to unit length. That is what langchain4j's
 * {@link OnnxBertBiEncoder} computes, which tokenizes a text three times (to split it at 510
 * tokens, to rebuild each part's text, to encode that): 7.7% of the model's CPU in a cold ingest
 * of the blog. The tokenizer's own file cuts a text at 128 ids, so no text has parts to split.
 * Thread-safe: a session runs calls side by side, and the tokenizer is immutable.
 */
final class SentenceEncoder {
    /** As langchain4j sets it: the file pads every text to 128 ids, which the mean would count. Its cut at 128 stays. */
    private static final Map<String, String> TOKENIZER_OPTIONS = Map.of("padding", "false");

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean takesTypeIds;
    private final int dimension;

    /** @param vocabulary the model's tokenizer.json */
    SentenceEncoder(OrtEnvironment env, OrtSession session, byte[] vocabulary, int dimension) {
        this.env = env;
        this.session = session;
        this.dimension = dimension;
        this.takesTypeIds = session.getInputNames().contains("token_type_ids");
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(vocabulary), TOKENIZER_OPTIONS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    float[] embed(String text) {
        Encoding encoding = tokenizer.encode(text, true, false);
        long[] ids = encoding.getIds();
        if (ids.length <= 2) {
            // Nothing but [CLS] and [SEP]: langchain4j's refusal, in its words.
            throw new IllegalArgumentException("Cannot embed empty or whitespace-only text");
        }
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getAttentionMask()), shape));
            if (takesTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(encoding.getTypeIds()), shape));
            }
            try (OrtSession.Result result = session.run(inputs)) {
                return meanOfUnitLength(((OnnxTensor) result.get(0)).getFloatBuffer(), ids.length);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("the local embedding model failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    /** The average of {@code tokens} vectors laid end to end, scaled to length 1. */
    private float[] meanOfUnitLength(FloatBuffer vectors, int tokens) {
        float[] mean = new float[dimension];
        for (int t = 0; t < tokens; t++) {
            for (int d = 0; d < dimension; d++) {
                mean[d] += vectors.get(t * dimension + d);
            }
        }
        double norm = 0;
        for (int d = 0; d < dimension; d++) {
            mean[d] /= tokens;
            norm += mean[d] * mean[d];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < dimension; d++) {
            mean[d] *= scale;
        }
        return mean;
    }
}

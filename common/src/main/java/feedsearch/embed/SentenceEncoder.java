package feedsearch.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A BERT sentence model's ONNX session: a text's token ids ({@link WordPieces}) are run, and
 * their vectors averaged and scaled to unit length. That is what langchain4j's
 * {@link OnnxBertBiEncoder} computes, which tokenizes a text three times (to split it at 510
 * tokens, to rebuild each part's text, to encode that): 7.7% of the model's CPU in a cold ingest
 * of the blog. Thread-safe: a session runs calls side by side.
 */
final class SentenceEncoder {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final boolean takesTypeIds;
    private final int dimension;

    SentenceEncoder(OrtEnvironment env, OrtSession session, int dimension) {
        this.env = env;
        this.session = session;
        this.dimension = dimension;
        this.takesTypeIds = session.getInputNames().contains("token_type_ids");
    }

    /** @param ids a text's token ids, [CLS] and [SEP] included: one sequence, so all its type ids are 0 and nothing is masked */
    float[] embed(long[] ids) {
        if (ids.length <= 2) {
            // Nothing but [CLS] and [SEP]: langchain4j's refusal, in its words.
            throw new IllegalArgumentException("Cannot embed empty or whitespace-only text");
        }
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            long[] ones = new long[ids.length];
            Arrays.fill(ones, 1);
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
            if (takesTypeIds) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
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

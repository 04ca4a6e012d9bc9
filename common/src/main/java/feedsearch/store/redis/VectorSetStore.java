package feedsearch.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.Sha256;
import feedsearch.store.IndexHealth;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.PostRecord;
import feedsearch.store.SearchFilter;
import feedsearch.store.StoredPassage;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.VAddParams;
import redis.clients.jedis.params.VSimParams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Redis 8 vector sets, for any Redis 8 without the query engine (distribution builds, for one):
 * one vector set per index whose elements are passage keys, with the feed and publication time
 * as JSON attributes for VSIM's FILTER. Vectors are stored at full precision unless asked
 * otherwise, since VADD's default, Q8, costs a little recall.
 */
public final class VectorSetStore extends RedisStore {
    public static final String ENGINE = "vectorset";
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Quantization { NOQUANT, Q8, BIN }

    /** The flag's choice for a new index; the index's own once {@link #prepare} has read it. */
    private Quantization quantization;

    public VectorSetStore(UnifiedJedis redis, RedisEndpoint endpoint, RedisKeys keys, Quantization quantization, boolean write) {
        super(redis, endpoint, keys, write);
        this.quantization = quantization;
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    @Override
    protected IndexMeta createIndex(String embedder, String model, int dimension) {
        // VADD creates the set with the first element; nothing to do ahead of it.
        return new IndexMeta(ENGINE, embedder, model, dimension, "cosine", "hnsw", quantization.name().toLowerCase(Locale.ROOT),
                IndexMeta.SCHEMA_VERSION, Instant.now());
    }

    @Override
    public IndexMeta prepare(String embedder, String model, int dimension) {
        IndexMeta meta = super.prepare(embedder, model, dimension);
        // One set cannot mix quantizations: an existing index keeps its own.
        quantization = Quantization.valueOf(meta.vectorType().toUpperCase(Locale.ROOT));
        return meta;
    }

    @Override
    protected void indexPassage(AbstractTransaction tx, String passageKey, PostRecord post, StoredPassage passage) {
        VAddParams params = new VAddParams().setAttr(attributes(post));
        switch (quantization) {
            case NOQUANT -> params.noQuant();
            case Q8 -> params.q8();
            case BIN -> params.bin();
        }
        tx.vadd(keys.vectors(), passage.embedding(), passageKey, params);
    }

    static String attributes(PostRecord post) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("feed", post.feed());
        // FILTER compares this hex id, never the feed name itself, so no name needs escaping.
        attributes.put("feed_id", feedId(post.feed()));
        if (post.published() != null) {
            attributes.put("published", post.published().getEpochSecond());
        }
        try {
            return JSON.writeValueAsString(attributes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String feedId(String feed) {
        return Sha256.hex(feed).substring(0, 16);
    }

    /** The FILTER expression for VSIM, or null for none. */
    static String filterExpression(SearchFilter filter) {
        if (filter.postId() != null || filter.url() != null) {
            // Only hybrid ranking narrows to one post, and vector sets rank by vectors alone.
            throw new IllegalArgumentException("vector sets have no per-post filter");
        }
        List<String> terms = new ArrayList<>();
        if (filter.feed() != null) {
            terms.add(".feed_id == \"" + feedId(filter.feed()) + "\"");
        }
        if (filter.since() != null) {
            terms.add(".published >= " + filter.since().getEpochSecond());
        }
        return terms.isEmpty() ? null : String.join(" and ", terms);
    }

    @Override
    protected void unindexPassage(AbstractTransaction tx, String passageKey) {
        tx.vrem(keys.vectors(), passageKey);
    }

    @Override
    public List<PassageMatch> nearest(float[] vector, int n, SearchFilter filter) {
        VSimParams params = new VSimParams().count(n);
        String expression = filterExpression(filter);
        if (expression != null) {
            params.filter(expression);
        }
        Map<String, Double> scored = call(() -> redis.vsimWithScores(keys.vectors(), vector, params));
        List<Map.Entry<String, Double>> ranked = new ArrayList<>(scored.entrySet());
        ranked.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        List<Response<List<String>>> fields = new ArrayList<>(ranked.size());
        call(() -> {
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (Map.Entry<String, Double> e : ranked) {
                    fields.add(pipeline.hmget(e.getKey(), "url", "title", "feed", "published", "chunk", "text"));
                }
                pipeline.sync();
            }
            return null;
        });
        List<PassageMatch> matches = new ArrayList<>(ranked.size());
        for (int i = 0; i < ranked.size(); i++) {
            List<String> f = fields.get(i).get();
            if (f.get(0) == null) {
                continue; // removed between VSIM and HMGET by a concurrent ingest
            }
            String postId = RedisKeys.postIdOf(ranked.get(i).getKey());
            // VSIM scores cosine similarity mapped onto 0..1; turn it back into -1..1.
            double cosine = 2.0 * ranked.get(i).getValue() - 1.0;
            matches.add(new PassageMatch(postId, f.get(0), f.get(1), f.get(2), instant(f.get(3)),
                    Integer.parseInt(f.get(4)), f.get(5), cosine));
        }
        return matches;
    }

    @Override
    protected long passageCount() {
        return call(() -> redis.vcard(keys.vectors()));
    }

    @Override
    public IndexHealth health() {
        // VADD adds to the graph before it returns: nothing is indexed later or fails apart.
        return new IndexHealth(passageCount(), 100.0, 0, null);
    }

    @Override
    protected void dropIndex() {
        call(() -> redis.unlink(keys.vectors()));
    }
}

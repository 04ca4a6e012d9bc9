package feedsearch.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.Sha256;
import feedsearch.store.IndexHealth;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.PostRecord;
import feedsearch.store.SearchFilter;
import feedsearch.store.StoreAccess;
import feedsearch.store.StoredPassage;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
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
 * vector sets whose elements are passage keys, with the feed and publication time as JSON
 * attributes for VSIM's FILTER. Vectors are stored as VADD's Q8 unless asked otherwise, with
 * its graph settings named rather than left to the server's defaults, so an index is built
 * alike by every Redis release.
 *
 * <p>One vector set is one key, so one cluster slot, so one machine. A new index therefore
 * spreads its posts over S sets, its shards ({@code shards} in the meta record), each post's
 * passages in one of them beside its own records; a query asks every shard and merges. An index
 * made before sharding keeps its one set.
 */
public final class VectorSetStore extends RedisStore {
    public static final String ENGINE = "vectorset";
    static final String SHARDS_FIELD = "shards";
    /**
     * VADD's EF and M. At 100k passages (scripts/bench-redis.sh) EF 200 recalled 0.97 of the
     * exact top 10, EF 100 0.94-0.96 (too near 0.95 to rely on), EF 50 0.66-0.82; M 32 wrote at
     * half the rate of M 16. No CAS: Redis inserts in the calling thread inside MULTI/EXEC anyway.
     */
    private static final int BUILD_EF = 200;
    private static final int LINKS = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Quantization { NOQUANT, Q8, BIN }

    /** The flag's choice for a new index; the index's own once {@link #prepare} has read it. */
    private Quantization quantization;
    /** For a new index. */
    private final int shards;

    /** @param keys with the index's shards if it has a meta record saying so */
    public VectorSetStore(RedisConnection connection, RedisEndpoint endpoint, RedisKeys keys, Quantization quantization,
                          int shards, StoreAccess access) {
        super(connection, endpoint, keys, access);
        this.quantization = quantization;
        this.shards = shards;
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
        // One set cannot mix quantizations, nor an index layouts: an existing index keeps its own,
        // as does one another process created a moment before us.
        quantization = Quantization.valueOf(meta.vectorType().toUpperCase(Locale.ROOT));
        keys = keys.withShards(recordedShards(call(() -> redis.hget(keys.meta(), SHARDS_FIELD))));
        return meta;
    }

    /** The shards a meta record's field names; null (one set) for an index made before sharding. */
    static ShardTags recordedShards(String field) {
        if (field == null) {
            return null;
        }
        try {
            return ShardTags.of(Integer.parseInt(field.trim()));
        } catch (IllegalArgumentException notAShardCount) {
            // Written by something else than feedsearch, or damaged: no layout can be guessed from it.
            throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "the index's meta record says shards '" + Printable.line(field, 40)
                    + "', not a number from 1 to " + ShardTags.MAX_SHARDS + ": fix the record or start over with 'ingest drop --yes'");
        }
    }

    @Override
    protected Map<String, String> metaFields(IndexMeta meta) {
        Map<String, String> fields = super.metaFields(meta);
        fields.put(SHARDS_FIELD, String.valueOf(shards));
        return fields;
    }

    @Override
    protected void indexPassage(AbstractTransaction tx, String passageKey, PostRecord post, StoredPassage passage) {
        VAddParams params = new VAddParams().setAttr(attributes(post)).ef(BUILD_EF).m(LINKS);
        switch (quantization) {
            case NOQUANT -> params.noQuant();
            case Q8 -> params.q8();
            case BIN -> params.bin();
        }
        tx.vadd(keys.vectorSet(post.postId()), passage.embedding(), passageKey, params);
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
    protected void unindexPassage(AbstractTransaction tx, String passageKey, String postId) {
        tx.vrem(keys.vectorSet(postId), passageKey);
    }

    @Override
    public List<PassageMatch> nearest(float[] vector, int n, SearchFilter filter) {
        VSimParams params = new VSimParams().count(n);
        String expression = filterExpression(filter);
        if (expression != null) {
            params.filter(expression);
        }
        // Every shard's n best, asked at once (a cluster pipeline sends each to its node), then the n best of those.
        List<Map<String, Double>> perShard = pipelined(keys.vectorSets(),
                (pipeline, set) -> pipeline.vsimWithScores(set, vector, params));
        List<Map.Entry<String, Double>> ranked = new ArrayList<>();
        for (Map<String, Double> shard : perShard) {
            ranked.addAll(shard.entrySet());
        }
        ranked.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        List<Map.Entry<String, Double>> best = ranked.subList(0, Math.min(n, ranked.size()));
        List<List<String>> fields = pipelined(best.stream().map(Map.Entry::getKey).toList(),
                (pipeline, passage) -> pipeline.hmget(passage, "url", "title", "feed", "published", "chunk", "text"));
        List<PassageMatch> matches = new ArrayList<>(best.size());
        for (int i = 0; i < best.size(); i++) {
            List<String> f = fields.get(i);
            if (f.get(0) == null) {
                continue; // removed between VSIM and HMGET by a concurrent ingest
            }
            String postId = RedisKeys.postIdOf(best.get(i).getKey());
            // VSIM scores cosine similarity mapped onto 0..1; turn it back into -1..1.
            double cosine = 2.0 * best.get(i).getValue() - 1.0;
            matches.add(new PassageMatch(postId, f.get(0), f.get(1), f.get(2), instant(f.get(3)),
                    Integer.parseInt(f.get(4)), f.get(5), cosine));
        }
        return matches;
    }

    @Override
    protected long passageCount() {
        return pipelined(keys.vectorSets(), AbstractPipeline::vcard)
                .stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public IndexHealth health() {
        // VADD adds to the graph before it returns: nothing is indexed later or fails apart.
        return new IndexHealth(passageCount(), 100.0, 0, null);
    }

    @Override
    protected void dropIndex() {
        call(() -> {
            connection.unlink(keys.vectorSets());
            return null;
        });
    }
}

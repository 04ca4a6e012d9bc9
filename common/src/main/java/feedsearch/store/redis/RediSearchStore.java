package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.IndexHealth;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.PostRecord;
import feedsearch.store.SearchFilter;
import feedsearch.store.StoredPassage;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.CommandObjects;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.SortingOrder;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.search.Document;
import redis.clients.jedis.search.FTCreateParams;
import redis.clients.jedis.search.FTSearchParams;
import redis.clients.jedis.search.IndexDataType;
import redis.clients.jedis.search.SearchResult;
import redis.clients.jedis.search.schemafields.NumericField;
import redis.clients.jedis.search.schemafields.SchemaField;
import redis.clients.jedis.search.schemafields.TagField;
import redis.clients.jedis.search.schemafields.TextField;
import redis.clients.jedis.search.schemafields.VectorField;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Redis's query engine (RediSearch): passages in hashes under the prefix, indexed by
 * {@code FT.CREATE ... ON HASH}, searched with a KNN query in DIALECT 2, as the source blog post
 * does with redis-py. Commands are built with Jedis' {@link CommandObjects} so tests can check
 * exactly what is sent.
 */
public final class RediSearchStore extends RedisStore {
    public static final String ENGINE = "search";
    private static final CommandObjects COMMANDS = new CommandObjects();

    private final RedisOptions options;

    public RediSearchStore(UnifiedJedis redis, RedisEndpoint endpoint, RedisKeys keys, RedisOptions options, boolean write) {
        super(redis, endpoint, keys, write);
        this.options = options;
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    static CommandObject<String> createCommand(RedisKeys keys, RedisOptions options, int dim) {
        Map<String, Object> vector = new LinkedHashMap<>();
        vector.put("TYPE", "FLOAT32");
        vector.put("DIM", dim);
        vector.put("DISTANCE_METRIC", options.metric().toUpperCase(Locale.ROOT));
        boolean hnsw = options.algorithm().equalsIgnoreCase("hnsw");
        if (hnsw && options.m() != null) {
            vector.put("M", options.m());
        }
        if (hnsw && options.efConstruction() != null) {
            vector.put("EF_CONSTRUCTION", options.efConstruction());
        }
        if (hnsw && options.efRuntime() != null) {
            vector.put("EF_RUNTIME", options.efRuntime());
        }
        List<SchemaField> fields = List.of(
                TagField.of("url"),
                TextField.of("title"),
                TagField.of("feed"),
                NumericField.of("published"),
                NumericField.of("chunk"),
                new VectorField("embedding", hnsw ? VectorField.VectorAlgorithm.HNSW : VectorField.VectorAlgorithm.FLAT, vector));
        return COMMANDS.ftCreate(keys.index(), FTCreateParams.createParams().on(IndexDataType.HASH).prefix(keys.prefix()), fields);
    }

    /**
     * The KNN query: {@code <filter>=>[KNN $K @embedding $BLOB AS score]}, nearest first, the
     * vector itself not returned.
     */
    static CommandObject<SearchResult> searchCommand(RedisKeys keys, float[] vector, int n, SearchFilter filter, Integer efRuntime) {
        String knn = preFilter(filter) + "=>[KNN $K @embedding $BLOB" + (efRuntime != null ? " EF_RUNTIME $EF" : "") + " AS score]";
        FTSearchParams params = FTSearchParams.searchParams()
                .addParam("K", n)
                .addParam("BLOB", float32(vector))
                .returnFields("url", "title", "feed", "published", "chunk", "text", "score")
                .sortBy("score", SortingOrder.ASC)
                .limit(0, n)
                .dialect(2);
        if (efRuntime != null) {
            params.addParam("EF", efRuntime);
        }
        return COMMANDS.ftSearch(keys.index(), knn, params);
    }

    /** {@code *}, or tag and range clauses with every tag character the query language would read escaped. */
    static String preFilter(SearchFilter filter) {
        List<String> clauses = new ArrayList<>();
        if (filter.feed() != null) {
            clauses.add("@feed:{" + escapeTag(filter.feed()) + "}");
        }
        if (filter.since() != null) {
            clauses.add("@published:[" + filter.since().getEpochSecond() + " +inf]");
        }
        if (filter.url() != null) {
            clauses.add("@url:{" + escapeTag(filter.url()) + "}");
        }
        return clauses.isEmpty() ? "*" : "(" + String.join(" ", clauses) + ")";
    }

    /**
     * Backslash before every character that is not a letter, digit or underscore: the query
     * language gives most punctuation and spaces a meaning, and escaping the rest is harmless.
     * (Jedis' own escape leaves '/' and spaces alone, which feed URLs and tags contain.)
     */
    static String escapeTag(String value) {
        StringBuilder escaped = new StringBuilder(value.length() * 2);
        value.codePoints().forEach(c -> {
            if (!Character.isLetterOrDigit(c) && c != '_') {
                escaped.append('\\');
            }
            escaped.appendCodePoint(c);
        });
        return escaped.toString();
    }

    @Override
    protected IndexMeta createIndex(String embedder, String model, int dimension) {
        try {
            call(() -> redis.executeCommand(createCommand(keys, options, dimension)));
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().toLowerCase(Locale.ROOT).contains("index already exists")) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "FT.CREATE " + keys.index() + " on " + endpoint
                        + " failed: " + e.getMessage(), e);
            }
            List<String> differences = SearchSchema.wanted(keys.prefix(), options, dimension)
                    .differencesFrom(SearchSchema.fromInfo(call(() -> redis.ftInfo(keys.index()))));
            if (!differences.isEmpty()) {
                throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + keys.index() + "' already exists on "
                        + endpoint + " with another schema: " + String.join("; ", differences)
                        + ". Choose another --index, or drop it with 'ingest drop --yes'");
            }
        }
        return new IndexMeta(ENGINE, embedder, model, dimension, options.metric().toLowerCase(Locale.ROOT),
                options.algorithm().toLowerCase(Locale.ROOT), "float32", IndexMeta.SCHEMA_VERSION, Instant.now());
    }

    /**
     * An index built without us (the source blog post's Python sample) has no meta record: its
     * dimension and metric come from FT.INFO, and the embedder must be named by the user.
     */
    @Override
    public Optional<IndexMeta> meta() {
        Optional<IndexMeta> recorded = recordedMeta();
        if (recorded.isPresent()) {
            return recorded;
        }
        Map<String, Object> info;
        try {
            info = call(() -> redis.ftInfo(keys.index()));
        } catch (JedisDataException unknownIndex) {
            return Optional.empty();
        }
        SearchSchema schema = SearchSchema.fromInfo(info);
        if (schema.dim() == 0) {
            return Optional.empty();
        }
        return Optional.of(new IndexMeta(ENGINE, null, null, schema.dim(), schema.metric().toLowerCase(Locale.ROOT),
                schema.algorithm().toLowerCase(Locale.ROOT), schema.dataType().toLowerCase(Locale.ROOT), 0, Instant.EPOCH));
    }

    @Override
    protected void indexPassage(AbstractTransaction tx, String passageKey, PostRecord post, StoredPassage passage) {
        // The query engine indexes the passage hash itself, embedding field included.
    }

    @Override
    protected void unindexPassage(AbstractTransaction tx, String passageKey) {
        // Deleting the hash removes it from the index.
    }

    @Override
    public List<PassageMatch> nearest(float[] vector, int n, SearchFilter filter) {
        SearchResult result = call(() -> redis.executeCommand(searchCommand(keys, vector, n, filter, options.efRuntime())));
        List<PassageMatch> matches = new ArrayList<>(result.getDocuments().size());
        for (Document d : result.getDocuments()) {
            String postId = RedisKeys.postIdOf(d.getId());
            double distance = Double.parseDouble(d.getString("score"));
            String url = d.getString("url");
            // The sample's hashes hold only url and embedding: the URL stands in for the title.
            String title = d.hasProperty("title") ? d.getString("title") : url;
            String text = d.hasProperty("text") ? d.getString("text") : "";
            matches.add(new PassageMatch(postId, url, title, d.getString("feed"), instant(d.getString("published")),
                    d.hasProperty("chunk") ? Integer.parseInt(d.getString("chunk")) : 0, text, 1.0 - distance));
        }
        return matches;
    }

    @Override
    public IndexHealth health() {
        Map<String, Object> info = call(() -> redis.ftInfo(keys.index()));
        String lastError = null;
        Object errors = info.get("Index Errors");
        if (errors instanceof List<?> list) {
            for (int i = 0; i + 1 < list.size(); i += 2) {
                if (SearchSchema.text(list.get(i)).equals("last indexing error")) {
                    lastError = SearchSchema.text(list.get(i + 1));
                }
            }
        }
        return new IndexHealth((long) number(info.get("num_docs")), 100.0 * number(info.get("percent_indexed")),
                (long) number(info.get("hash_indexing_failures")), lastError);
    }

    private static double number(Object value) {
        String text = SearchSchema.text(value);
        return text.isEmpty() ? 0 : Double.parseDouble(text);
    }

    @Override
    protected long passageCount() {
        try {
            return (long) number(call(() -> redis.ftInfo(keys.index())).get("num_docs"));
        } catch (JedisDataException noIndexYet) {
            return 0;
        }
    }

    @Override
    protected void dropIndex() {
        try {
            call(() -> redis.ftDropIndexDD(keys.index()));
        } catch (JedisDataException unknownIndex) {
            // Nothing indexed yet: the hashes are removed all the same.
        }
    }
}

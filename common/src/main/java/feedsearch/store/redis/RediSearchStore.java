package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.IndexHealth;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.PostRecord;
import feedsearch.store.SearchFilter;
import feedsearch.store.StoreAccess;
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

import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redis's query engine (RediSearch): passages in hashes under the prefix, indexed by
 * {@code FT.CREATE ... ON HASH}, searched with a KNN query in DIALECT 2, as the source blog post
 * does with redis-py, and by their words with the engine's BM25. Commands are built with Jedis'
 * {@link CommandObjects} so tests can check exactly what is sent.
 */
public final class RediSearchStore extends RedisStore {
    public static final String ENGINE = "search";
    /** Meta record field present once the index has the text field (from FT.CREATE or FT.ALTER). */
    static final String TEXT_INDEX = "text_index";
    /**
     * Scorers, named rather than left to the engine's default, which is TFIDF before Redis 8 and
     * which recent engines let operators change. BM25STD is the standard Okapi BM25: added in
     * RediSearch 2.8 (RediSearch PR #3780), the default since Redis 8 (PR #5258), and the name
     * Redis 8.4 keeps while deprecating the older, non-standard BM25 (Redis docs, scoring page).
     * Engines before 2.8 have only BM25 and answer "No such scorer BM25STD"
     * (aggregate_request.c): the store falls back once and remembers.
     */
    static final String BM25STD = "BM25STD";
    static final String BM25 = "BM25";
    /** Words per text query: enough for any real question, and a pasted page stays one cheap query. */
    static final int MAX_TERMS = 32;
    /** Longer "words" are noise (hashes, base64), not vocabulary. */
    private static final int MAX_WORD_LENGTH = 64;
    /** Runs of what the engine's tokenizer keeps together; every other character separates words. */
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}\\p{M}_]+");
    /** The engine's default stop words: never indexed, so never worth a term. */
    private static final Set<String> STOP_WORDS = Set.of("a", "is", "the", "an", "and", "are", "as", "at", "be", "but",
            "by", "for", "if", "in", "into", "it", "no", "not", "of", "on", "or", "such", "that", "their", "then", "there",
            "these", "they", "this", "to", "was", "will", "with");
    private static final CommandObjects COMMANDS = new CommandObjects();

    private final RedisOptions options;
    private volatile String scorer = BM25STD;
    private volatile Boolean textIndex;

    public RediSearchStore(RedisConnection connection, RedisEndpoint endpoint, RedisKeys keys, RedisOptions options,
                           StoreAccess access) {
        super(connection, endpoint, keys, access);
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
                TextField.of(SearchSchema.TEXT_FIELD),
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

    /** Adds the text field to an index made before it was part of the schema. */
    static CommandObject<String> alterCommand(RedisKeys keys) {
        return COMMANDS.ftAlter(keys.index(), List.<SchemaField>of(TextField.of(SearchSchema.TEXT_FIELD)));
    }

    /**
     * The question's words as the engine would index them: lower case, stop words and repeats
     * dropped, at most {@link #MAX_TERMS}. Punctuation only separates; nothing of the question's
     * syntax survives.
     */
    static List<String> queryWords(String question) {
        Set<String> words = new LinkedHashSet<>();
        Matcher m = WORD.matcher(Normalizer.normalize(question, Normalizer.Form.NFC));
        while (words.size() < MAX_TERMS && m.find()) {
            String word = m.group().toLowerCase(Locale.ROOT);
            if (word.length() <= MAX_WORD_LENGTH && !STOP_WORDS.contains(word)
                    && word.codePoints().anyMatch(Character::isLetterOrDigit)) {
                words.add(word);
            }
        }
        return List.copyOf(words);
    }

    /**
     * The BM25 query: {@code <filter> @text|title:($w0|$w1|...)}, any word matching, best score
     * first. The words go as PARAMS, so the query string holds only our own syntax: a word such as
     * {@code as}, {@code inf} or {@code isempty}, which the query lexer reads as a keyword, is just
     * a term as a parameter value.
     */
    static CommandObject<SearchResult> textSearchCommand(RedisKeys keys, List<String> words, int n, SearchFilter filter,
                                                         String scorer) {
        FTSearchParams params = FTSearchParams.searchParams();
        StringJoiner terms = new StringJoiner("|", "@" + SearchSchema.TEXT_FIELD + "|title:(", ")");
        for (int i = 0; i < words.size(); i++) {
            terms.add("$w" + i);
            params.addParam("w" + i, words.get(i));
        }
        String filterClause = preFilter(filter);
        String query = (filterClause.equals("*") ? "" : filterClause + " ") + terms;
        params.returnFields("url", "title", "feed", "published", "chunk", "text")
                .withScores()
                .scorer(scorer)
                .limit(0, n)
                .dialect(2);
        return COMMANDS.ftSearch(keys.index(), query, params);
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
            // A TAG field splits its value at commas when indexing: a URL with commas is all of its parts.
            for (String part : filter.url().split(",")) {
                if (!part.isBlank()) {
                    clauses.add("@url:{" + escapeTag(part.strip()) + "}");
                }
            }
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
            onAnyNode(r -> r.executeCommand(createCommand(keys, options, dimension)));
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().toLowerCase(Locale.ROOT).contains("index already exists")) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "FT.CREATE " + keys.index() + " on " + endpoint
                        + " failed: " + e.getMessage(), e);
            }
            List<String> differences = SearchSchema.wanted(keys.prefix(), options, dimension)
                    .differencesFrom(SearchSchema.fromInfo(onAnyNode(r -> r.ftInfo(keys.index()))));
            if (!differences.isEmpty()) {
                throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + keys.index() + "' already exists on "
                        + endpoint + " with another schema: " + String.join("; ", differences)
                        + ". Choose another --index, or drop it with 'ingest drop --yes'");
            }
        }
        return new IndexMeta(ENGINE, embedder, model, dimension, options.metric().toLowerCase(Locale.ROOT),
                options.algorithm().toLowerCase(Locale.ROOT), "float32", IndexMeta.SCHEMA_VERSION, Instant.now());
    }

    @Override
    public IndexMeta prepare(String embedder, String model, int dimension) {
        IndexMeta meta = super.prepare(embedder, model, dimension);
        addTextField();
        return meta;
    }

    @Override
    public Optional<String> upgrade() {
        if (recordedMeta().isEmpty() || call(() -> redis.hget(keys.meta(), TEXT_INDEX)) != null) {
            return Optional.empty();
        }
        addTextField();
        return Optional.of("added the text field to index '" + keys.index() + "' (FT.ALTER ... SCHEMA ADD text TEXT) for hybrid "
                + "search; Redis indexes the stored passages again in the background, nothing is re-embedded");
    }

    /**
     * Gives an index made before hybrid ranking its text field. The passage hashes have always
     * held the text, so FT.ALTER is enough: the engine indexes the existing hashes itself, in the
     * background, and no passage is embedded again. The meta record remembers it is done; a
     * "Duplicate field" answer means a concurrent ingest added it first, which is done too.
     */
    private void addTextField() {
        if (call(() -> redis.hget(keys.meta(), TEXT_INDEX)) == null) {
            if (!SearchSchema.fromInfo(onAnyNode(r -> r.ftInfo(keys.index()))).hasText()) {
                try {
                    onAnyNode(r -> r.executeCommand(alterCommand(keys)));
                } catch (JedisDataException e) {
                    if (!String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("duplicate field")) {
                        throw new FeedsearchException(ExitCode.UNREACHABLE, "FT.ALTER " + keys.index() + " on " + endpoint
                                + " failed: " + e.getMessage(), e);
                    }
                }
            }
            markMeta(TEXT_INDEX, "1");
        }
        textIndex = true;
    }

    /**
     * Our indexes with the text field, as the meta record or FT.INFO say. An index without our
     * meta record (the source blog post's sample) is never altered and ranks by vectors alone.
     */
    @Override
    public boolean hasTextIndex() {
        if (textIndex == null) {
            Map<String, String> meta = call(() -> redis.hgetAll(keys.meta()));
            textIndex = !meta.isEmpty() && (meta.containsKey(TEXT_INDEX) || infoHasText());
        }
        return textIndex;
    }

    private boolean infoHasText() {
        try {
            return SearchSchema.fromInfo(onAnyNode(r -> r.ftInfo(keys.index()))).hasText();
        } catch (JedisDataException unknownIndex) {
            return false;
        }
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
            info = onAnyNode(r -> r.ftInfo(keys.index()));
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
    protected void unindexPassage(AbstractTransaction tx, String passageKey, String postId) {
        // Deleting the hash removes it from the index.
    }

    @Override
    public List<PassageMatch> nearest(float[] vector, int n, SearchFilter filter) {
        SearchResult result = onAnyNode(r -> r.executeCommand(searchCommand(keys, vector, n, filter, options.efRuntime())));
        List<PassageMatch> matches = new ArrayList<>(result.getDocuments().size());
        for (Document d : result.getDocuments()) {
            matches.add(match(d, 1.0 - Double.parseDouble(d.getString("score"))));
        }
        return matches;
    }

    /** A question of no searchable words (only punctuation or stop words) matches nothing, without a query. */
    @Override
    public List<PassageMatch> textMatches(String question, int n, SearchFilter filter) {
        List<String> words = queryWords(question);
        if (words.isEmpty() || !hasTextIndex()) {
            return List.of();
        }
        SearchResult result;
        try {
            result = onAnyNode(r -> r.executeCommand(textSearchCommand(keys, words, n, filter, scorer)));
        } catch (JedisDataException e) {
            if (scorer.equals(BM25) || !unknownScorer(e)) {
                throw e;
            }
            scorer = BM25; // an engine before RediSearch 2.8: see BM25STD
            result = onAnyNode(r -> r.executeCommand(textSearchCommand(keys, words, n, filter, scorer)));
        }
        List<PassageMatch> matches = new ArrayList<>(result.getDocuments().size());
        for (Document d : result.getDocuments()) {
            matches.add(match(d, d.getScore()));
        }
        return matches;
    }

    static boolean unknownScorer(JedisDataException e) {
        return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("scorer");
    }

    private static PassageMatch match(Document d, double score) {
        String url = d.getString("url");
        // The sample's hashes hold only url and embedding: the URL stands in for the title.
        String title = d.hasProperty("title") ? d.getString("title") : url;
        String text = d.hasProperty("text") ? d.getString("text") : "";
        return new PassageMatch(RedisKeys.postIdOf(d.getId()), url, title, d.getString("feed"), instant(d.getString("published")),
                d.hasProperty("chunk") ? Integer.parseInt(d.getString("chunk")) : 0, text, score);
    }

    @Override
    public IndexHealth health() {
        Map<String, Object> info = onAnyNode(r -> r.ftInfo(keys.index()));
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
            return (long) number(onAnyNode(r -> r.ftInfo(keys.index())).get("num_docs"));
        } catch (JedisDataException noIndexYet) {
            return 0;
        }
    }

    @Override
    protected void dropIndex() {
        textIndex = null;
        // Our own index's passages are deleted post by post, as the engine's DD would delete every
        // hash under the prefix, someone else's too. An index without our meta record (the original
        // sample's) has no post records to go by: its documents go with DD.
        boolean ours = recordedMeta().isPresent();
        try {
            onAnyNode(r -> ours ? r.ftDropIndex(keys.index()) : r.ftDropIndexDD(keys.index()));
        } catch (JedisDataException unknownIndex) {
            // Nothing indexed yet: the hashes are removed all the same.
        }
    }
}

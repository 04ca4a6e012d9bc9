package feedsearch.store.redis;

import feedsearch.store.SearchFilter;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.args.Rawable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact commands sent to Redis's query engine, built without a server. */
class RediSearchCommandsTest {
    private static final RedisKeys KEYS = new RedisKeys("posts", "post:");

    private static List<String> words(CommandObject<?> command) {
        List<String> words = new ArrayList<>();
        words.add(new String(command.getArguments().getCommand().getRaw(), StandardCharsets.UTF_8));
        for (Rawable arg : command.getArguments()) {
            words.add(new String(arg.getRaw(), StandardCharsets.UTF_8));
        }
        return words.subList(1, words.size()); // the first argument repeats the command name
    }

    private static String line(CommandObject<?> command) {
        return String.join(" ", words(command));
    }

    @Test
    void createsAnHnswCosineIndexOverPassageHashes() {
        assertEquals("FT.CREATE posts ON HASH PREFIX 1 post: SCHEMA url TAG title TEXT feed TAG published NUMERIC "
                        + "chunk NUMERIC text TEXT embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 384 DISTANCE_METRIC COSINE",
                line(RediSearchStore.createCommand(KEYS, RedisOptions.DEFAULTS, 384)));
    }

    @Test
    void createsWithTheLayoutAskedFor() {
        RedisOptions hnsw = RedisOptions.DEFAULTS.withLayout(VectorSetStore.Quantization.NOQUANT, "hnsw", "ip", 32, 400)
                .withEfRuntime(50);
        assertTrue(line(RediSearchStore.createCommand(KEYS, hnsw, 1536)).endsWith(
                "embedding VECTOR HNSW 12 TYPE FLOAT32 DIM 1536 DISTANCE_METRIC IP M 32 EF_CONSTRUCTION 400 EF_RUNTIME 50"));

        RedisOptions flat = RedisOptions.DEFAULTS.withLayout(VectorSetStore.Quantization.NOQUANT, "flat", "l2", 32, 400);
        assertTrue(line(RediSearchStore.createCommand(new RedisKeys("blog", "blog:p:"), flat, 8)).matches(
                "FT.CREATE blog ON HASH PREFIX 1 blog:p: SCHEMA .* embedding VECTOR FLAT 6 TYPE FLOAT32 DIM 8 DISTANCE_METRIC L2"),
                "HNSW parameters are not sent for FLAT");
    }

    @Test
    void knnQueryWithoutFilter() {
        float[] vector = {1f, -2f, 0.5f};
        List<String> words = words(RediSearchStore.searchCommand(KEYS, vector, 20, SearchFilter.NONE, null));

        assertEquals(List.of("FT.SEARCH", "posts", "*=>[KNN $K @embedding $BLOB AS score]"), words.subList(0, 3));
        String rest = String.join(" ", words.subList(3, words.size()));
        assertTrue(rest.contains("RETURN 7 url title feed published chunk text score"), rest);
        assertTrue(rest.contains("SORTBY score ASC"), rest);
        assertTrue(rest.contains("LIMIT 0 20"), rest);
        assertTrue(rest.contains("DIALECT 2"), rest);
        assertTrue(rest.contains("PARAMS 4 ") && rest.contains(" K 20 ") && rest.contains(" BLOB "), rest);
        assertTrue(!rest.contains("RETURN 8") && !words.subList(3, words.size()).contains("embedding"), "the vector is not returned");
    }

    @Test
    void theVectorIsSentAsLittleEndianFloat32() {
        float[] vector = {1f, -2f, 0.5f};
        CommandObject<?> command = RediSearchStore.searchCommand(KEYS, vector, 5, SearchFilter.NONE, null);
        byte[] blob = null;
        List<Rawable> args = new ArrayList<>();
        command.getArguments().forEach(args::add);
        for (int i = 0; i + 1 < args.size(); i++) {
            if (new String(args.get(i).getRaw(), StandardCharsets.UTF_8).equals("BLOB")) {
                blob = args.get(i + 1).getRaw();
            }
        }
        ByteBuffer expected = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(-2f).putFloat(0.5f);
        assertArrayEquals(expected.array(), blob);
    }

    @Test
    void filtersAndEfRuntimeGoInTheQuery() {
        SearchFilter filter = new SearchFilter("https://blog.example.org/feed.xml", Instant.ofEpochSecond(1_700_000_000));
        List<String> words = words(RediSearchStore.searchCommand(KEYS, new float[] {1f}, 10, filter, 64));

        assertEquals("(@feed:{https\\:\\/\\/blog\\.example\\.org\\/feed\\.xml} @published:[1700000000 +inf])"
                + "=>[KNN $K @embedding $BLOB EF_RUNTIME $EF AS score]", words.get(2));
        assertTrue(String.join(" ", words).contains("EF 64"), words.toString());
    }

    @Test
    void hostileTagValuesAreEscapedSoTheyCannotEscapeTheTag() {
        String hostile = "news} | @title:(pwned) {x-y";
        String clause = RediSearchStore.preFilter(new SearchFilter(hostile, null));

        assertEquals("(@feed:{news\\}\\ \\|\\ \\@title\\:\\(pwned\\)\\ \\{x\\-y})", clause);
        // Between the braces every character that has a meaning is escaped.
        String inner = clause.substring("(@feed:{".length(), clause.length() - "})".length());
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '\\') {
                assertEquals('\\', inner.charAt(i - 1), "unescaped '" + c + "' in " + inner);
            }
        }
    }

    /** The shape of FT.INFO for an index we create, as RESP2 delivers it. */
    static Map<String, Object> info(String metric, int dim, String urlType) {
        return info(metric, dim, urlType, "TEXT");
    }

    /** @param textType the text field's type; null for an index made before it existed */
    static Map<String, Object> info(String metric, int dim, String urlType, String textType) {
        List<Object> attributes = new ArrayList<>(List.of(
                List.of("identifier", "url", "attribute", "url", "type", urlType, "SEPARATOR", ","),
                List.of("identifier", "title", "attribute", "title", "type", "TEXT", "WEIGHT", "1"),
                List.of("identifier", "feed", "attribute", "feed", "type", "TAG", "SEPARATOR", ","),
                List.of("identifier", "published", "attribute", "published", "type", "NUMERIC"),
                List.of("identifier", "chunk", "attribute", "chunk", "type", "NUMERIC")));
        if (textType != null) {
            attributes.add(List.of("identifier", "text", "attribute", "text", "type", textType, "WEIGHT", "1"));
        }
        attributes.add(List.of("identifier", "embedding", "attribute", "embedding", "type", "VECTOR", "algorithm", "HNSW",
                "data_type", "FLOAT32", "dim", (long) dim, "distance_metric", metric, "M", 16L, "ef_construction", 200L));
        return Map.of(
                "index_name", "posts",
                "index_definition", List.of("key_type", "HASH", "prefixes", List.of("post:"), "default_score", "1"),
                "attributes", attributes,
                "num_docs", "42", "hash_indexing_failures", "0", "percent_indexed", "1");
    }

    @Test
    void anExistingIndexWithTheSameSchemaIsReused() {
        SearchSchema wanted = SearchSchema.wanted("post:", RedisOptions.DEFAULTS, 384);
        assertEquals(List.of(), wanted.differencesFrom(SearchSchema.fromInfo(info("COSINE", 384, "TAG"))));
    }

    @Test
    void anIndexFromBeforeTheTextFieldIsUpgradableNotAMismatch() {
        SearchSchema wanted = SearchSchema.wanted("post:", RedisOptions.DEFAULTS, 384);
        SearchSchema old = SearchSchema.fromInfo(info("COSINE", 384, "TAG", null));

        assertEquals(List.of(), wanted.differencesFrom(old));
        assertFalse(old.hasText(), "so FT.ALTER adds it");
        assertTrue(SearchSchema.fromInfo(info("COSINE", 384, "TAG")).hasText());
        assertEquals(List.of("field text is TAG, not TEXT"),
                wanted.differencesFrom(SearchSchema.fromInfo(info("COSINE", 384, "TAG", "TAG"))));
    }

    @Test
    void theTextFieldIsAddedWithFtAlter() {
        assertEquals("FT.ALTER posts SCHEMA ADD text TEXT", line(RediSearchStore.alterCommand(KEYS)));
    }

    @Test
    void anExistingIndexWithAnotherSchemaSaysWhatDiffers() {
        SearchSchema wanted = SearchSchema.wanted("post:", RedisOptions.DEFAULTS, 384);
        List<String> differences = wanted.differencesFrom(SearchSchema.fromInfo(info("L2", 1536, "TEXT")));

        assertEquals(Arrays.asList("field url is TEXT, not TAG", "vector dimension is 1536, not 384",
                "distance metric is L2, not COSINE"), differences);
    }

    @Test
    void theSourcePostsIndexReadsAsDimensionAndMetricOnly() {
        // FT.CREATE posts ON HASH PREFIX 1 post: SCHEMA url TEXT embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 1536 DISTANCE_METRIC COSINE
        Map<String, Object> sample = Map.of(
                "index_definition", List.of("key_type", "HASH", "prefixes", List.of("post:")),
                "attributes", List.of(
                        List.of("identifier", "url", "attribute", "url", "type", "TEXT", "WEIGHT", "1"),
                        List.of("identifier", "embedding", "attribute", "embedding", "type", "VECTOR", "algorithm", "HNSW",
                                "data_type", "FLOAT32", "dim", 1536L, "distance_metric", "COSINE")));
        SearchSchema schema = SearchSchema.fromInfo(sample);

        assertEquals(1536, schema.dim());
        assertEquals("COSINE", schema.metric());
        assertEquals(List.of("post:"), schema.prefixes());
        assertFalse(schema.hasText(), "the sample's index is never ranked by words");
    }

    /** An FT.SEARCH command taken apart: query string, PARAMS as a map, and the other arguments. */
    private record Search(String query, Map<String, String> params, String rest) {
        static Search of(CommandObject<?> command) {
            List<String> words = words(command);
            assertEquals(List.of("FT.SEARCH", "posts"), words.subList(0, 2));
            Map<String, String> params = new LinkedHashMap<>();
            List<String> rest = new ArrayList<>();
            for (int i = 3; i < words.size(); i++) {
                if (words.get(i).equals("PARAMS")) {
                    int count = Integer.parseInt(words.get(i + 1));
                    for (int p = i + 2; p < i + 2 + count; p += 2) {
                        params.put(words.get(p), words.get(p + 1));
                    }
                    i += 1 + count;
                } else {
                    rest.add(words.get(i));
                }
            }
            return new Search(words.get(2), params, String.join(" ", rest));
        }

        /** The PARAMS values in the order the query names them. */
        List<String> terms() {
            List<String> terms = new ArrayList<>();
            Matcher m = Pattern.compile("\\$(w\\d+)").matcher(query);
            while (m.find()) {
                terms.add(params.get(m.group(1)));
            }
            return terms;
        }
    }

    private static Search textSearch(String question, SearchFilter filter) {
        List<String> words = RediSearchStore.queryWords(question);
        assertFalse(words.isEmpty(), "no words in " + question);
        return Search.of(RediSearchStore.textSearchCommand(KEYS, words, 40, filter, RediSearchStore.BM25STD));
    }

    /** Whatever the question, the query string is our own syntax; the user's words are PARAMS values. */
    private static final Pattern TERMS_ONLY = Pattern.compile("(\\(.*\\) )?@text\\|title:\\(\\$w0(\\|\\$w\\d+)*\\)");

    @Test
    void textQueryOrsTheQuestionsWordsOverTextAndTitleWithBm25() {
        Search search = textSearch("How do I build a bot?", SearchFilter.NONE);

        assertEquals("@text|title:($w0|$w1|$w2|$w3|$w4)", search.query());
        assertEquals(List.of("how", "do", "i", "build", "bot"), search.terms(), "'a' is a stop word");
        assertEquals("WITHSCORES RETURN 6 url title feed published chunk text SCORER BM25STD LIMIT 0 40 DIALECT 2",
                search.rest());
    }

    @Test
    void textQueryKeepsTheFilters() {
        SearchFilter filter = new SearchFilter("blog", Instant.ofEpochSecond(1_700_000_000))
                .onlyPost(null, "https://blog.example.org/a-b/");
        Search search = textSearch("sourdough starter", filter);

        assertEquals("(@feed:{blog} @published:[1700000000 +inf] @url:{https\\:\\/\\/blog\\.example\\.org\\/a\\-b\\/}) "
                + "@text|title:($w0|$w1)", search.query());
        assertEquals(List.of("sourdough", "starter"), search.terms());
    }

    @Test
    void aUrlWithCommasIsMatchedByEveryPartItsTagFieldHolds() {
        assertEquals("(@url:{https\\:\\/\\/x\\.example\\/a} @url:{b\\?c\\=1})",
                RediSearchStore.preFilter(SearchFilter.NONE.onlyPost(null, "https://x.example/a, b?c=1")));
    }

    @Test
    void hostileQuestionsAreWordsNeverSyntax() {
        Map<String, List<String>> cases = new LinkedHashMap<>();
        cases.put("\"@title:{x}\"", List.of("title", "x"));
        cases.put("-foo", List.of("foo"));
        cases.put("foo* | bar~ %baz% $K @embedding:[KNN 5]", List.of("foo", "bar", "baz", "k", "embedding", "knn", "5"));
        cases.put("a) (b\\ c} => {d", List.of("b", "c", "d"));
        cases.put("as inf isempty ismissing w'x' 2024", List.of("inf", "isempty", "ismissing", "w", "x", "2024"));
        cases.put("Café NAÏVE Москва 東京 snake_case", List.of("café", "naïve", "москва", "東京", "snake_case"));
        cases.put("cafe\u0301 caf\u00e9", List.of("caf\u00e9")); // composed and decomposed are one word
        SearchFilter filter = new SearchFilter("news} | @title:(x)", Instant.ofEpochSecond(0));
        cases.forEach((question, expected) -> {
            for (SearchFilter f : List.of(SearchFilter.NONE, filter)) {
                Search search = textSearch(question, f);
                assertTrue(TERMS_ONLY.matcher(search.query()).matches(), question + " -> " + search.query());
                assertEquals(expected, search.terms(), question);
            }
        });
    }

    @Test
    void questionsWithoutWordsSendNoQuery() {
        for (String question : List.of("", "*", "(", "?!", "\"\" -- @:{}[]()|~*%$", "the a of", "___")) {
            assertEquals(List.of(), RediSearchStore.queryWords(question), question);
        }
        // A store with no connection at all: nothing is sent, and nothing fails.
        RediSearchStore offline = new RediSearchStore(null, null, KEYS, RedisOptions.DEFAULTS, feedsearch.store.StoreAccess.READ);
        assertEquals(List.of(), offline.textMatches("*", 10, SearchFilter.NONE));
        assertEquals(List.of(), offline.textMatches("(", 10, new SearchFilter("blog", null)));
    }

    @Test
    void aLongQuestionIsCappedAtMaxTerms() {
        StringBuilder question = new StringBuilder();
        for (int i = 0; question.length() < 10_240; i++) {
            question.append("word").append(i).append(i % 7 == 0 ? ", " : " ");
        }
        question.append("x".repeat(5_000)); // one absurd "word", dropped
        Search search = textSearch(question.toString(), SearchFilter.NONE);

        assertEquals(RediSearchStore.MAX_TERMS, search.terms().size());
        assertEquals("word0", search.terms().get(0));
        assertTrue(search.query().length() < 300, search.query());
        assertEquals(List.of(), RediSearchStore.queryWords("x".repeat(10_240)));
    }

    @Test
    void theOlderBm25IsAskedForByName() {
        CommandObject<?> command = RediSearchStore.textSearchCommand(KEYS, List.of("bot"), 5, SearchFilter.NONE,
                RediSearchStore.BM25);
        assertTrue(Search.of(command).rest().contains("SCORER BM25 LIMIT 0 5"), line(command));
    }
}

package feedsearch.store;

import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.search.Hit;
import feedsearch.search.Searcher;
import feedsearch.testing.TestIngest;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8: the local store must keep finding the nearest passages as the index grows, also when
 * thousands of near-duplicates crowd the question's neighbourhood.
 */
class LocalStoreRecallTest {
    private static final String QUESTION = "how do I build a bot";
    private static final String CHAT_BOT = "https://workbench.example.org/2024/01/team-chat-bot/";
    private static final Embedder MODEL = new LocalEmbedder();

    @TempDir(factory = InMemoryWhereAvailable.class)
    Path dir;

    /**
     * These tests commit thousands of posts one by one, as ingest does, and each commit waits for
     * the disk: 3 minutes for the 5,000 posts on a busy disk, under a minute on tmpfs. What is
     * written and searched is the same.
     */
    static final class InMemoryWhereAvailable implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > (512L << 20)) {
                return Files.createTempDirectory(shm, "feedsearch-test-");
            }
            return Files.createTempDirectory("feedsearch-test-");
        }
    }

    private record Stored(float[] vector, String feed, Instant published) {
    }

    /**
     * Several thousand synthetic passages: posts about a few dozen topics, and clusters of
     * near-duplicate posts (ten copies of one post, each passage with a little noise). For three
     * dozen questions, each without a filter, with a feed filter and with a date filter, the
     * store's ten nearest passages are checked against exact cosine ranking computed here, both
     * on the exact path (what a store of this size uses) and on the HNSW path (what a big one uses).
     */
    @Test
    void recallAtTenAgainstExactCosine() {
        int dims = 384;
        int passagesPerPost = 20;
        Random random = new Random(8);
        List<float[]> topics = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            topics.add(Vectors.around(new float[dims], 1.0, random));
        }
        Map<String, Stored> stored = new HashMap<>();
        List<float[]> duplicated = new ArrayList<>();
        Instant start = Instant.parse("2024-01-01T00:00:00Z");
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare("test", "synthetic", dims);
            int post = 0;
            for (int p = 0; p < 100; p++, post++) {
                float[] topic = topics.get(random.nextInt(topics.size()));
                float[][] passages = new float[passagesPerPost][];
                for (int i = 0; i < passagesPerPost; i++) {
                    passages[i] = Vectors.around(topic, 0.07, random); // cosine about 0.6 to its topic
                }
                write(store, post, start.plus(Duration.ofDays(random.nextInt(365))), passages, stored);
            }
            for (int c = 0; c < 10; c++) {
                float[] topic = topics.get(random.nextInt(topics.size()));
                float[][] original = new float[passagesPerPost][];
                for (int i = 0; i < passagesPerPost; i++) {
                    original[i] = Vectors.around(topic, 0.07, random);
                    duplicated.add(original[i]);
                }
                for (int copy = 0; copy < 10; copy++, post++) {
                    float[][] passages = new float[passagesPerPost][];
                    for (int i = 0; i < passagesPerPost; i++) {
                        passages[i] = Vectors.around(original[i], 0.01, random); // cosine about 0.98 to the original
                    }
                    write(store, post, start.plus(Duration.ofDays(random.nextInt(365))), passages, stored);
                }
            }
        }
        List<float[]> questions = new ArrayList<>();
        List<float[]> all = stored.values().stream().map(Stored::vector).toList();
        for (int q = 0; q < 12; q++) {
            questions.add(Vectors.around(topics.get(random.nextInt(topics.size())), 0.07, random));
            questions.add(Vectors.around(duplicated.get(random.nextInt(duplicated.size())), 0.03, random));
            questions.add(Vectors.around(all.get(random.nextInt(all.size())), 0.05, random));
        }
        List<SearchFilter> filters = List.of(SearchFilter.NONE, new SearchFilter("odd", null),
                new SearchFilter(null, start.plus(Duration.ofDays(182))));

        double exact = recallAtTen(LocalStore.openForReading(dir), questions, filters, stored);
        double hnsw = recallAtTen(LocalStore.openForReading(dir, 0), questions, filters, stored);
        // The segments commits wrote have no graph (MergedGraphVectorsFormat): merged into one, all are searched by graph.
        mergeIntoOneSegment(dir);
        double graphOnly = recallAtTen(LocalStore.openForReading(dir, 0), questions, filters, stored);
        System.out.printf("recall@10 over %d passages, %d searches: exact path %.3f, HNSW path %.3f, one merged segment %.3f%n",
                stored.size(), questions.size() * filters.size(), exact, hnsw, graphOnly);
        assertEquals(1.0, exact, 1e-9);
        // Asking HNSW for only the 10 passages wanted gave 0.954 here.
        assertTrue(hnsw >= 0.98, "HNSW recall@10 " + hnsw);
        assertTrue(graphOnly >= 0.98, "HNSW recall@10, one merged segment " + graphOnly);
    }

    private static void mergeIntoOneSegment(Path dir) {
        try (Directory directory = FSDirectory.open(dir);
             IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig().setCodec(new StoreCodec()))) {
            writer.forceMerge(1);
            writer.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(LocalStore store, int post, Instant published, float[][] vectors, Map<String, Stored> stored) {
        String id = String.format("post%012d", post);
        String feed = post % 2 == 0 ? "even" : "odd";
        List<StoredPassage> passages = new ArrayList<>();
        for (int i = 0; i < vectors.length; i++) {
            passages.add(new StoredPassage(i, "passage " + i, vectors[i]));
            stored.put(id + ":" + i, new Stored(vectors[i], feed, published));
        }
        store.replacePost(new PostRecord(id, "https://x.example/" + post, "Post " + post, feed, published,
                "hash", vectors.length, Instant.now()), passages);
    }

    /**
     * The share of the store's ten answers that belong to the exact ten nearest passages (a tie
     * with the tenth counts), over all questions and filters; every answer must pass the filter.
     */
    private static double recallAtTen(LocalStore store, List<float[]> questions, List<SearchFilter> filters,
                                      Map<String, Stored> stored) {
        try (store) {
            int found = 0;
            int wanted = 0;
            for (SearchFilter filter : filters) {
                for (float[] question : questions) {
                    double[] exact = stored.values().stream().filter(p -> passes(p, filter))
                            .mapToDouble(p -> Vectors.cosine(question, p.vector()))
                            .boxed().sorted(Comparator.reverseOrder()).mapToDouble(Double::doubleValue).toArray();
                    double tenth = exact[9];
                    List<PassageMatch> matches = store.nearest(question, 10, filter);
                    assertEquals(10, matches.size());
                    for (PassageMatch m : matches) {
                        Stored passage = stored.get(m.postId() + ":" + m.chunk());
                        assertTrue(passes(passage, filter), m + " does not pass " + filter);
                        assertEquals(Vectors.cosine(question, passage.vector()), m.score(), 1e-4);
                        if (Vectors.cosine(question, passage.vector()) >= tenth - 1e-6) {
                            found++;
                        }
                    }
                    wanted += 10;
                }
            }
            return (double) found / wanted;
        }
    }

    private static boolean passes(Stored passage, SearchFilter filter) {
        return (filter.feed() == null || filter.feed().equals(passage.feed()))
                && (filter.since() == null || !passage.published().isBefore(filter.since()));
    }

    /**
     * The sample feed, then 5,000 spam posts written straight to the store: copies, with a little
     * noise, of a bot-ish text that is nearer the question than most sample posts but farther
     * than the chat-bot post. Exact ranking still puts the chat-bot post first; the search must too.
     * (Asking HNSW for just the passages wanted ranked a copy first.)
     */
    @Test
    void chatBotPostStaysFirstUnderFiveThousandNearDuplicates() {
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            TestIngest.sample(store, MODEL);
            float[] question = MODEL.embed(List.of(QUESTION)).get(0);
            String decoy = "Bot traffic: how to block scrapers on your site";
            float[] decoyVector = MODEL.embed(List.of(decoy)).get(0);
            Random random = new Random(8);
            double nearestDecoy = -1;
            for (int i = 0; i < 5_000; i++) {
                float[] v = Vectors.around(decoyVector, 0.01, random);
                nearestDecoy = Math.max(nearestDecoy, Vectors.cosine(question, v));
                String id = String.format("spam%012d", i);
                store.replacePost(new PostRecord(id, "https://spam.example/" + i, decoy + " #" + i, "spam",
                        Instant.parse("2024-06-01T00:00:00Z"), "hash-" + i, 1, Instant.now()),
                        List.of(new StoredPassage(0, decoy, v)));
            }
            // The premise: on exact cosine the chat-bot post beats every copy (the sample feed
            // alone is small enough for any search to be exact).
            PassageMatch chatBot = store.nearest(question, 1, new SearchFilter("sample", null)).get(0);
            assertEquals(CHAT_BOT, chatBot.url());
            assertTrue(chatBot.score() > nearestDecoy + 0.02, chatBot.score() + " vs decoys up to " + nearestDecoy);

            // Small enough to be searched exactly: HNSW alone can stay trapped among the copies.
            assertTrue(store.status().passages() * question.length <= LocalStore.EXACT_SEARCH_LIMIT);

            Searcher searcher = new Searcher(store, store.requireMeta(), MODEL);
            List<Hit> hits = searcher.search(QUESTION, 5, SearchFilter.NONE, 0.0);
            System.out.printf("chat-bot post %.3f, nearest of 5,000 copies %.3f; search ranks first: %s (%.3f)%n",
                    chatBot.score(), nearestDecoy, hits.get(0).title(), hits.get(0).score());
            assertEquals(CHAT_BOT, hits.get(0).url(), "first hit: " + hits.get(0));
            assertEquals(5, hits.size());

            // Filters still apply.
            Instant june = Instant.parse("2024-06-01T00:00:00Z");
            List<Hit> recent = searcher.search(QUESTION, 5, new SearchFilter(null, june), 0.0);
            assertEquals(5, recent.size());
            assertTrue(recent.stream().allMatch(h -> !h.published().isBefore(june)), recent.toString());
            assertTrue(recent.stream().noneMatch(h -> h.url().equals(CHAT_BOT)));
            List<Hit> sample = searcher.search(QUESTION, 5, new SearchFilter("sample", null), 0.0);
            assertEquals(CHAT_BOT, sample.get(0).url());
            assertTrue(sample.stream().allMatch(h -> h.feed().equals("sample")), sample.toString());
            List<Hit> spam = searcher.search(QUESTION, 5, new SearchFilter("spam", null), 0.0);
            assertEquals(5, spam.size());
            assertFalse(spam.stream().anyMatch(h -> !h.feed().equals("spam")), spam.toString());
        }
    }

    /**
     * The searcher wants posts, the store ranks passages: a post with hundreds of passages nearer
     * the question than any other post's must not crowd the other posts out of the top k.
     */
    @Test
    void searcherFindsKPostsWhenOnePostHasManyPassages() {
        Random random = new Random(8);
        float[] question = Vectors.around(new float[384], 1.0, random);
        Embedder fixed = new FixedEmbedder(question);
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare(fixed.name(), fixed.modelId(), fixed.dimension());
            float[][] longPost = new float[300][];
            for (int i = 0; i < longPost.length; i++) {
                longPost[i] = Vectors.around(question, 0.002, random); // cosine 0.999
            }
            write(store, 0, Instant.EPOCH, longPost, new HashMap<>());
            for (int p = 1; p <= 10; p++) {
                // cosine 0.98 for post 1, 0.93 for post 2, ... 0.45 for post 10
                write(store, p, Instant.EPOCH, new float[][] {Vectors.around(question, 0.01 * p, random)}, new HashMap<>());
            }
        }
        for (LocalStore store : List.of(LocalStore.openForReading(dir), LocalStore.openForReading(dir, 0))) {
            try (store) {
                List<Hit> hits = new Searcher(store, store.requireMeta(), fixed).search("anything", 5, SearchFilter.NONE, -1);
                assertEquals(List.of("Post 0", "Post 1", "Post 2", "Post 3", "Post 4"), hits.stream().map(Hit::title).toList());
                // The store's own one-pass ranking of posts agrees with asking it for ever more passages.
                List<PassageMatch> byPassages = BestPerPost.select(5, BestPerPost.firstAsk(5),
                        n -> store.nearest(question, n, SearchFilter.NONE), PassageMatch::postId);
                assertEquals(byPassages, store.nearestPosts(question, 5, SearchFilter.NONE));
            }
        }
    }

    /** Embeds every text as the same vector. */
    private record FixedEmbedder(float[] vector) implements Embedder {
        @Override
        public List<float[]> embed(List<String> texts) {
            return texts.stream().map(t -> vector).toList();
        }

        @Override
        public int dimension() {
            return vector.length;
        }

        @Override
        public String name() {
            return "test";
        }

        @Override
        public String modelId() {
            return "fixed";
        }

        @Override
        public int maxInputTokens() {
            return 256;
        }

        @Override
        public int countTokens(String text) {
            return text.length();
        }
    }

    /** Seeded test vectors and the exact cosine the store is checked against. */
    static final class Vectors {
        private Vectors() {
        }

        /** A unit vector near {@code base}: Gaussian noise of this deviation per component. */
        static float[] around(float[] base, double sigma, Random random) {
            float[] v = base.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (random.nextGaussian() * sigma);
            }
            return unit(v);
        }

        static float[] unit(float[] v) {
            double norm = Math.sqrt(dot(v, v));
            float[] u = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                u[i] = (float) (v[i] / norm);
            }
            return u;
        }

        static double cosine(float[] a, float[] b) {
            return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
        }

        private static double dot(float[] a, float[] b) {
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                sum += (double) a[i] * b[i];
            }
            return sum;
        }
    }
}

package feedsearch.search;

import feedsearch.BlankText;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.TaskFailure;
import feedsearch.embed.Embedder;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.SearchFilter;
import feedsearch.store.VectorStore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Question to ranked posts. A post is as good as its best passage. Two rankings of posts are
 * fused by reciprocal rank fusion: the passages' vectors, which carry paraphrase, and BM25 over
 * the passages' words, which carries what a small vector blurs (names, products, error codes).
 * A store without a text index ranks by vectors alone.
 */
public final class Searcher {
    /** Which rankings decide the order. */
    public enum Mode { HYBRID, VECTOR, TEXT }

    /** RRF's constant: large enough that a first place in one list does not outvote both lists. */
    static final int RRF_K = 60;
    /** Posts taken from each ranking into the fusion. */
    private static final int FUSION_DEPTH = 30;
    /**
     * Threads for the word ranking, kept for the next question: CompletableFuture's default on a
     * two-core machine starts a new thread per task, which a batch of questions paid on every one.
     */
    private static final ExecutorService WORD_SEARCH = new ThreadPoolExecutor(0, Integer.MAX_VALUE,
            30, TimeUnit.SECONDS, new SynchronousQueue<>(), new Daemons());

    private final VectorStore store;
    private final Embedder embedder;

    /**
     * @param meta     the store's index, as {@link VectorStore#requireMeta()} read it
     * @param embedder must embed the way the index's vectors were made
     * @throws FeedsearchException (exit 4) when it does not
     */
    public Searcher(VectorStore store, IndexMeta meta, Embedder embedder) {
        meta.incompatibility(embedder.name(), embedder.modelId(), embedder.dimension()).ifPresent(why -> {
            throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX,
                    store.describe() + " cannot answer this embedder: " + why + ". Query with " + meta.embedderFlags());
        });
        this.store = store;
        this.embedder = embedder;
    }

    /** The default ranking: hybrid where the store has a text index. */
    public List<Hit> search(String question, int k, SearchFilter filter, double minScore) {
        return search(question, k, filter, minScore, Mode.HYBRID);
    }

    /**
     * @param minScore drop posts whose best passage's cosine similarity is below this
     */
    public List<Hit> search(String question, int k, SearchFilter filter, double minScore, Mode mode) {
        if (BlankText.isBlank(question)) {
            throw new IllegalArgumentException("the question is empty");
        }
        boolean words = mode != Mode.VECTOR && store.hasTextIndex();
        int depth = words ? Math.max(k, FUSION_DEPTH) : k;
        // The word ranking needs no vector: it runs while the question is embedded (on a cold
        // start, while the model loads), so hybrid costs little more than vectors alone.
        CompletableFuture<List<PassageMatch>> byText = words
                ? CompletableFuture.supplyAsync(() -> store.textPosts(question, depth, filter), WORD_SEARCH)
                : CompletableFuture.completedFuture(List.of());
        float[] vector;
        try {
            vector = embedder.embed(List.of(question)).get(0);
        } catch (RuntimeException e) {
            byText.handle((ranking, failure) -> null).join(); // never leave it working on a store about to close
            throw e;
        }
        // Plain loops rather than lambdas and streams here: each first use of one costs a cold
        // query milliseconds of class spinning, and a query is mostly cold.
        Map<String, Candidate> candidates = new LinkedHashMap<>();
        if (!(mode == Mode.TEXT && words)) {
            List<PassageMatch> byVector = store.nearestPosts(vector, depth, filter);
            for (int i = 0; i < byVector.size(); i++) {
                candidate(candidates, byVector.get(i)).vector(i + 1, byVector.get(i));
            }
        }
        List<PassageMatch> textRanking = join(byText);
        for (int i = 0; i < textRanking.size(); i++) {
            candidate(candidates, textRanking.get(i)).text(i + 1, textRanking.get(i));
        }
        List<Candidate> fused = new ArrayList<>(candidates.values());
        Collections.sort(fused);

        List<Hit> hits = new ArrayList<>(k);
        for (Candidate c : fused) {
            if (hits.size() == k) {
                break;
            }
            // The shown score is always the best passage's cosine similarity, the figure users know.
            PassageMatch best = c.byVector != null ? c.byVector : nearestPassageOf(c.byText, vector, filter);
            if (best == null || best.score() < minScore) {
                continue;
            }
            hits.add(new Hit(hits.size() + 1, best.score(), best.title(), best.url(), best.published(), best.feed(),
                    best.text(), c.vectorRank, c.textRank));
        }
        return hits;
    }

    private static List<PassageMatch> join(CompletableFuture<List<PassageMatch>> ranking) {
        try {
            return ranking.join();
        } catch (CompletionException e) {
            throw TaskFailure.unchecked(e.getCause());
        }
    }

    private static Candidate candidate(Map<String, Candidate> candidates, PassageMatch match) {
        Candidate c = candidates.get(match.postId());
        if (c == null) {
            c = new Candidate();
            candidates.put(match.postId(), c);
        }
        return c;
    }

    /** A post the words found but the vectors did not rank: its nearest passage, for its score. */
    private PassageMatch nearestPassageOf(PassageMatch post, float[] vector, SearchFilter filter) {
        List<PassageMatch> nearest = store.nearest(vector, 1, filter.onlyPost(post.postId(), post.url()));
        return nearest.isEmpty() ? null : nearest.get(0);
    }

    /** Daemon threads, so a command's JVM exits when its work is done. */
    private static final class Daemons implements ThreadFactory {
        @Override
        public Thread newThread(Runnable work) {
            Thread t = new Thread(work, "feedsearch-word-search");
            t.setDaemon(true);
            return t;
        }
    }

    /** A post in the fusion, with its place in each ranking (0 where it is not ranked); best fused first. */
    private static final class Candidate implements Comparable<Candidate> {
        int vectorRank;
        int textRank;
        PassageMatch byVector;
        PassageMatch byText;

        void vector(int rank, PassageMatch match) {
            vectorRank = rank;
            byVector = match;
        }

        void text(int rank, PassageMatch match) {
            textRank = rank;
            byText = match;
        }

        double fusedScore() {
            return (vectorRank > 0 ? 1.0 / (RRF_K + vectorRank) : 0) + (textRank > 0 ? 1.0 / (RRF_K + textRank) : 0);
        }

        @Override
        public int compareTo(Candidate other) {
            return Double.compare(other.fusedScore(), fusedScore());
        }
    }
}

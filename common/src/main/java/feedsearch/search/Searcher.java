package feedsearch.search;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.embed.Embedder;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.SearchFilter;
import feedsearch.store.VectorStore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

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
    private static final int FUSION_DEPTH = 50;
    private static final int MAX_PASSAGES = 10_000;

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
        float[] vector = embedder.embed(List.of(question)).get(0);
        boolean text = mode != Mode.VECTOR && store.hasTextIndex();
        int depth = text ? Math.max(k, FUSION_DEPTH) : k;
        List<PassageMatch> byVector = mode == Mode.TEXT && text ? List.of()
                : bestPerPost((n, f) -> store.nearest(vector, n, f), depth, filter);
        List<PassageMatch> byText = text ? bestPerPost((n, f) -> store.textMatches(question, n, f), depth, filter) : List.of();

        Map<String, Candidate> candidates = new LinkedHashMap<>();
        for (int i = 0; i < byVector.size(); i++) {
            candidates.computeIfAbsent(byVector.get(i).postId(), id -> new Candidate()).vector(i + 1, byVector.get(i));
        }
        for (int i = 0; i < byText.size(); i++) {
            candidates.computeIfAbsent(byText.get(i).postId(), id -> new Candidate()).text(i + 1, byText.get(i));
        }
        List<Candidate> fused = new ArrayList<>(candidates.values());
        fused.sort(Comparator.comparingDouble(Candidate::fusedScore).reversed());

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

    /** The first passage of each post from a ranking of passages, asking for more until enough posts came. */
    private static List<PassageMatch> bestPerPost(BiFunction<Integer, SearchFilter, List<PassageMatch>> ranking,
                                                  int posts, SearchFilter filter) {
        Map<String, PassageMatch> best = new LinkedHashMap<>();
        for (int n = Math.max(4 * posts, 20); ; n *= 4) {
            List<PassageMatch> matches = ranking.apply(n, filter);
            best.clear();
            for (PassageMatch m : matches) {
                best.putIfAbsent(m.postId(), m); // matches come best first
            }
            if (best.size() >= posts || matches.size() < n || n >= MAX_PASSAGES) {
                return best.values().stream().limit(posts).toList();
            }
        }
    }

    /** A post the words found but the vectors did not rank: its nearest passage, for its score. */
    private PassageMatch nearestPassageOf(PassageMatch post, float[] vector, SearchFilter filter) {
        List<PassageMatch> nearest = store.nearest(vector, 1, filter.onlyUrl(post.url()));
        return nearest.isEmpty() ? null : nearest.get(0);
    }

    /** A post in the fusion, with its place in each ranking (0 where it is not ranked). */
    private static final class Candidate {
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
    }
}

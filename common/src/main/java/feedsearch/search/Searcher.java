package feedsearch.search;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.embed.Embedder;
import feedsearch.store.IndexMeta;
import feedsearch.store.PassageMatch;
import feedsearch.store.SearchFilter;
import feedsearch.store.VectorStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Question to ranked posts. The store ranks passages; a post is as good as its best passage, so
 * we fetch more passages than posts wanted, keep the first passage of each post, and fetch more
 * if too few distinct posts came back.
 */
public final class Searcher {
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

    /**
     * @param minScore drop posts below this cosine similarity
     */
    public List<Hit> search(String question, int k, SearchFilter filter, double minScore) {
        float[] vector = embedder.embed(List.of(question)).get(0);

        Map<String, PassageMatch> bestPerPost = new LinkedHashMap<>();
        for (int n = Math.max(4 * k, 20); ; n *= 4) {
            List<PassageMatch> matches = store.nearest(vector, n, filter);
            bestPerPost.clear();
            for (PassageMatch m : matches) {
                bestPerPost.putIfAbsent(m.postId(), m); // matches come best first
            }
            if (bestPerPost.size() >= k || matches.size() < n || n >= MAX_PASSAGES) {
                break;
            }
        }
        List<Hit> hits = new ArrayList<>(k);
        for (PassageMatch m : bestPerPost.values()) {
            if (hits.size() == k || m.score() < minScore) {
                break;
            }
            hits.add(new Hit(hits.size() + 1, m.score(), m.title(), m.url(), m.published(), m.feed(), m.text()));
        }
        return hits;
    }
}

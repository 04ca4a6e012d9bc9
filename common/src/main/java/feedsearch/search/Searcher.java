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
    private static final int SNIPPET_CHARS = 240;
    private static final int MAX_PASSAGES = 10_000;

    private final VectorStore store;
    private final Embedder embedder;

    /**
     * @param embedder must be the one the index was built with
     */
    public Searcher(VectorStore store, Embedder embedder) {
        this.store = store;
        this.embedder = embedder;
    }

    /**
     * @param minScore drop posts below this cosine similarity
     */
    public List<Hit> search(String question, int k, SearchFilter filter, double minScore) {
        IndexMeta meta = store.requireMeta();
        meta.incompatibility(embedder.name(), embedder.modelId(), embedder.dimension()).ifPresent(why -> {
            throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX,
                    store.describe() + " cannot answer this embedder: " + why + ". Query with " + meta.embedderFlags());
        });
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
            // Records written by others (the source post's sample) may have no title or text.
            String title = m.title() != null ? m.title() : m.url();
            String text = m.text() != null ? m.text() : "";
            hits.add(new Hit(hits.size() + 1, m.score(), title, m.url(), m.published(), m.feed(), snippet(text), text));
        }
        return hits;
    }

    private static String snippet(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= SNIPPET_CHARS ? flat : flat.substring(0, SNIPPET_CHARS - 1).stripTrailing() + "…";
    }
}

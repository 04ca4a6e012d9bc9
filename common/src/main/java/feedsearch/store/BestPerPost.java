package feedsearch.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Posts from a ranking of passages: a post is as good as its best passage. The ranking is asked
 * for more passages until enough distinct posts came, since one long post can fill the top.
 */
final class BestPerPost {
    /** Where asking for more stops: a question that matches this many passages has its answer in them. */
    static final int MAX_PASSAGES = 10_000;

    /** Passages best first, {@code n} at most. */
    interface Ranking<T, E extends Exception> {
        List<T> top(int n) throws E;
    }

    /** The post a ranked passage belongs to. */
    interface PostOf<T, E extends Exception> {
        String postId(T passage) throws E;
    }

    private BestPerPost() {
    }

    /** A first ask that usually suffices: a few passages per post wanted. */
    static int firstAsk(int posts) {
        return Math.max(4 * posts, 20);
    }

    /**
     * The first passage of each of the {@code posts} best posts, best first.
     *
     * @param firstAsk passages asked for first, quadrupled while they bring too few posts
     */
    static <T, E extends Exception> List<T> select(int posts, int firstAsk, Ranking<T, E> ranking, PostOf<T, E> postOf)
            throws E {
        Map<String, T> best = new LinkedHashMap<>();
        for (int n = firstAsk; ; n *= 4) {
            List<T> passages = ranking.top(n);
            best.clear();
            for (T passage : passages) {
                best.putIfAbsent(postOf.postId(passage), passage); // passages come best first
                if (best.size() == posts) {
                    return new ArrayList<>(best.values());
                }
            }
            if (passages.size() < n || n >= MAX_PASSAGES) {
                return new ArrayList<>(best.values());
            }
        }
    }
}

package feedsearch.store;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where posts and their passage vectors live. One implementation per engine; the ingest pipeline
 * and the searcher only see this interface.
 */
public interface VectorStore extends AutoCloseable {

    /** For messages: what and where this store is, e.g. {@code local store /home/me/.local/share/feedsearch/posts}. */
    String describe();

    /** How the index was built; empty for a new store. */
    Optional<IndexMeta> meta();

    /** How the index was built; a store with no index yet is an error (exit 3) saying to ingest first. */
    default IndexMeta requireMeta() {
        return meta().orElseThrow(() -> new FeedsearchException(ExitCode.UNREACHABLE, describe() + " has no index yet: run ingest first"));
    }

    /**
     * Creates the index for vectors of this embedder and model, or checks that the existing one
     * holds such vectors, and returns its description.
     *
     * @throws feedsearch.FeedsearchException with {@link feedsearch.ExitCode#INCOMPATIBLE_INDEX} on a mismatch
     */
    IndexMeta prepare(String embedder, String model, int dimension);

    /**
     * Brings an index made by an earlier release up to this one's layout, without re-embedding
     * anything (e.g. a text index for hybrid ranking), on a store opened for writing.
     *
     * @return what was done, for the user; empty when there was nothing to do
     */
    default Optional<String> upgrade() {
        return Optional.empty();
    }

    /**
     * Locks the feeds an ingest is about to write, all or none, so that no other process writes
     * them meanwhile: exit 5 when one is taken. Stores whose lock is taken when they open (the
     * local store: one writer at a time) have nothing more to lock.
     */
    default WriteLock lockFeeds(List<String> feedNames) {
        return WriteLock.NONE;
    }

    Optional<PostRecord> post(String postId);

    /** Writes a post and its passages, and removes any passages its previous version had beyond them, atomically. */
    void replacePost(PostRecord post, List<StoredPassage> passages);

    /**
     * Replaces each post as {@link #replacePost} does; every post written is durable when this
     * returns, and a store may make them durable together. Answers for each post, in order: null
     * when it was written, else the refusal {@link #replacePost} would have thrown for that post
     * alone (a value beyond the store's limits). Any other failure stops the run, as there.
     */
    default List<IllegalArgumentException> replacePosts(List<PostWrite> writes) {
        List<IllegalArgumentException> refusals = new ArrayList<>(writes.size());
        for (PostWrite write : writes) {
            try {
                replacePost(write.post(), write.passages());
                refusals.add(null);
            } catch (IllegalArgumentException e) {
                refusals.add(e);
            }
        }
        return refusals;
    }

    /** The {@code n} passages nearest {@code vector}, best first, after {@code filter}. */
    List<PassageMatch> nearest(float[] vector, int n, SearchFilter filter);

    /**
     * The best passage of each of the {@code posts} posts nearest {@code vector}, best first, after
     * {@code filter}: the vector ranking of posts.
     */
    default List<PassageMatch> nearestPosts(float[] vector, int posts, SearchFilter filter) {
        return BestPerPost.select(posts, BestPerPost.firstAsk(posts), n -> nearest(vector, n, filter), PassageMatch::postId);
    }

    /** The best passage of each of the {@code posts} posts whose words best match the question: the word ranking of posts. */
    default List<PassageMatch> textPosts(String question, int posts, SearchFilter filter) {
        return BestPerPost.select(posts, BestPerPost.firstAsk(posts), n -> textMatches(question, n, filter), PassageMatch::postId);
    }

    /** Whether {@link #textMatches} ranks anything: stores without a text index rank by vectors alone. */
    default boolean hasTextIndex() {
        return false;
    }

    /**
     * The {@code n} passages whose words best match the question by BM25 (over passage text and
     * title), best first, after {@code filter}. The question is words, never query syntax.
     * {@link PassageMatch#score()} is the text score here, not a cosine similarity.
     */
    default List<PassageMatch> textMatches(String question, int n, SearchFilter filter) {
        return List.of();
    }

    Optional<FeedState> feedState(String feedUrl);

    void saveFeedState(FeedState state);

    StoreStatus status();

    /** Read after an ingest: a store that silently failed to index passages is an error. */
    IndexHealth health();

    /** Removes the index and every record of it. */
    void drop();

    @Override
    void close();
}

package feedsearch.store;

import java.util.List;

/** A post and its passages, as {@link VectorStore#replacePost} takes them, for {@link VectorStore#replacePosts}. */
public record PostWrite(PostRecord post, List<StoredPassage> passages) {
}

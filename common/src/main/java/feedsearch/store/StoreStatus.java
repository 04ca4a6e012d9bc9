package feedsearch.store;

import java.util.List;

/** The numbers {@code ingest status} shows. */
public record StoreStatus(String location, IndexMeta meta, long posts, long passages, List<FeedState> feeds) {
}

package feedsearch.store;

/** What a process opens a store for, which decides the lock it takes. */
public enum StoreAccess {
    /** query, status: no lock. */
    READ,
    /** ingest: on Redis, a lock per feed (taken by {@link VectorStore#lockFeeds}), so ingests of other feeds can run beside it. */
    INGEST,
    /** drop, reindex: the whole index, with no ingest running. */
    EXCLUSIVE
}

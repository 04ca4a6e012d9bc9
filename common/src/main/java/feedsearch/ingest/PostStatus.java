package feedsearch.ingest;

/** What happened to one feed entry in a run. */
public enum PostStatus {
    ADDED, UPDATED, UNCHANGED, FAILED,
    /** {@code --dry-run}: what a real run would have done. */
    WOULD_ADD, WOULD_UPDATE;

    public String label() {
        return name().toLowerCase().replace('_', ' ');
    }
}

package feedsearch.ingest;

/** Hears about a run as it goes, for progress bars and log lines. Called from the run's thread. */
public interface IngestListener {
    IngestListener NONE = new IngestListener() {
    };

    /** A feed was read and its {@code entries} are next; a feed that could not be read, or was not modified, has only {@link #feedDone}. */
    default void feedStarted(String feed, int entries) {
    }

    default void postDone(PostOutcome outcome) {
    }

    default void feedDone(FeedOutcome outcome) {
    }
}

package feedsearch.ingest;

/** Hears about a run as it goes, for progress bars and log lines. Called from the run's thread. */
public interface IngestListener {
    IngestListener NONE = new IngestListener() {
    };

    default void feedStarted(String feed, int entries) {
    }

    default void postDone(PostOutcome outcome) {
    }

    default void feedDone(FeedOutcome outcome) {
    }
}

package feedsearch.ingest;

import java.util.List;

/** Everything a run did, feed by feed. */
public record IngestReport(List<FeedOutcome> feeds) {

    public long count(PostStatus status) {
        return feeds.stream().mapToLong(f -> f.count(status)).sum();
    }

    /** How many feeds ended this way. */
    public long feeds(FeedOutcome.Status status) {
        return feeds.stream().filter(f -> f.status() == status).count();
    }

    public boolean hasFailures() {
        return feeds.stream().anyMatch(FeedOutcome::hasFailures);
    }
}

package feedsearch.ingest;

import java.util.List;

/** Everything a run did, feed by feed. */
public record IngestReport(List<FeedOutcome> feeds) {

    public long count(PostStatus status) {
        return feeds.stream().mapToLong(f -> f.count(status)).sum();
    }

    public boolean hasFailures() {
        return feeds.stream().anyMatch(FeedOutcome::hasFailures);
    }
}

package feedsearch.ingest;

import java.util.List;

/**
 * One feed's result.
 *
 * @param error why the feed itself could not be read; null otherwise
 */
public record FeedOutcome(String feed, Status status, String error, List<PostOutcome> posts) {

    public enum Status { READ, NOT_MODIFIED, FAILED }

    public long count(PostStatus status) {
        return posts.stream().filter(p -> p.status() == status).count();
    }

    public boolean hasFailures() {
        return status == Status.FAILED || count(PostStatus.FAILED) > 0;
    }
}

package feedsearch.ingest;

/**
 * One entry's result.
 *
 * @param url      null when the entry has no link
 * @param passages passages written (or that would be written); 0 when unchanged or failed
 * @param error    why it failed; null otherwise
 */
public record PostOutcome(String feed, String url, String title, PostStatus status, int passages, String error) {
}

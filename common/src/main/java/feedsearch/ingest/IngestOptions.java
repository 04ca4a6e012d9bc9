package feedsearch.ingest;

import java.time.Instant;

/**
 * How to run.
 *
 * @param limit            at most this many entries per feed (after {@code since}); 0 for all
 * @param since            only entries published at or after this; null for all
 * @param force            re-embed and rewrite posts even when unchanged, and ignore feed validators
 * @param dryRun           report what would change, embed and write nothing
 * @param concurrency      pages fetched at once
 * @param embedConcurrency embedding batches (for a remote API: requests) in flight at once
 */
public record IngestOptions(int limit, Instant since, boolean force, boolean dryRun, int concurrency, int embedConcurrency) {
    public static final int DEFAULT_EMBED_CONCURRENCY = 4;
    public static final IngestOptions DEFAULTS = new IngestOptions(0, null, false, false, 4);

    public IngestOptions(int limit, Instant since, boolean force, boolean dryRun, int concurrency) {
        this(limit, since, force, dryRun, concurrency, DEFAULT_EMBED_CONCURRENCY);
    }
}

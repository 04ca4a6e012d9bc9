package feedsearch.cli;

import feedsearch.Printable;
import feedsearch.embed.EmbeddingUsage;
import feedsearch.ingest.FeedOutcome;
import feedsearch.ingest.IngestListener;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.PostOutcome;
import feedsearch.ingest.PostStatus;

import java.io.PrintWriter;

/**
 * Shows a run as it goes: a progress bar on a terminal, a log line per post otherwise (cron mails
 * those), JSON lines for scripts, or only failures with --quiet. Failures always reach stderr.
 */
final class IngestProgress implements IngestListener {
    private static final int BAR_WIDTH = 30;
    private static final int TITLE_CHARS = 120;
    private static final int URL_CHARS = 300;
    private static final int MESSAGE_CHARS = 1000;

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean quiet;
    private final boolean terminal;
    private int total;
    private int done;

    IngestProgress(PrintWriter out, PrintWriter err, boolean json, boolean quiet, boolean terminal) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.quiet = quiet;
        this.terminal = terminal && !json && !quiet;
    }

    @Override
    public void feedStarted(String feed, int entries) {
        total = entries;
        done = 0;
        if (!json && !quiet) {
            err.println("feed " + Printable.line(feed, URL_CHARS) + ": " + entries + " entries");
        }
    }

    @Override
    public void postDone(PostOutcome post) {
        done++;
        if (json) {
            out.println(Json.object().put("type", "post").put("feed", post.feed()).put("url", post.url())
                    .put("title", post.title()).put("status", post.status().label()).put("passages", post.passages())
                    .put("error", post.error()).line());
            out.flush();
        }
        if (post.status() == PostStatus.FAILED) {
            clearBar();
            err.println("failed: " + Printable.line(post.error(), MESSAGE_CHARS));
        } else if (!json && !quiet && !terminal) {
            String passages = post.passages() > 0 ? ", " + post.passages() + " passages" : "";
            err.println(String.format("%-12s %s (%s%s)", post.status().label(), Printable.line(post.title(), TITLE_CHARS),
                    Printable.line(post.url(), URL_CHARS), passages));
        }
        drawBar();
    }

    @Override
    public void feedDone(FeedOutcome feed) {
        clearBar();
        if (json && feed.status() != FeedOutcome.Status.READ) {
            out.println(Json.object().put("type", "feed").put("feed", feed.feed())
                    .put("status", feed.status().name().toLowerCase().replace('_', ' ')).put("error", feed.error()).line());
        }
        if (feed.status() == FeedOutcome.Status.FAILED) {
            err.println("failed: " + Printable.line(feed.error(), MESSAGE_CHARS));
        } else if (feed.status() == FeedOutcome.Status.NOT_MODIFIED && !json && !quiet) {
            err.println("feed " + Printable.line(feed.feed(), URL_CHARS) + ": not modified since the last run");
        }
        err.flush();
    }

    void summary(IngestReport report, String store, boolean dryRun, EmbeddingUsage usage) {
        if (json) {
            out.println(Json.object().put("type", "summary").put("store", store).put("dry_run", dryRun)
                    .put("added", report.count(PostStatus.ADDED)).put("updated", report.count(PostStatus.UPDATED))
                    .put("unchanged", report.count(PostStatus.UNCHANGED)).put("failed", report.count(PostStatus.FAILED))
                    .put("would_add", report.count(PostStatus.WOULD_ADD)).put("would_update", report.count(PostStatus.WOULD_UPDATE))
                    .put("failed_feeds", report.feeds(FeedOutcome.Status.FAILED))
                    .put("embedding_requests", usage.requests()).put("embedding_tokens", usage.tokens())
                    .line());
        } else if (!quiet) {
            out.println((dryRun ? "dry run: " : "ingest: ") + counts(report, dryRun)
                    + (report.hasFailures() ? " (see the failures above)" : ""));
            if (usage.requests() > 0) {
                out.println("embedding: " + usage.requests() + " requests, " + usage.tokens() + " tokens");
            }
        }
    }

    private static String counts(IngestReport report, boolean dryRun) {
        String posts = dryRun
                ? report.count(PostStatus.WOULD_ADD) + " to add, " + report.count(PostStatus.WOULD_UPDATE) + " to update, "
                : report.count(PostStatus.ADDED) + " added, " + report.count(PostStatus.UPDATED) + " updated, ";
        long notModified = report.feeds(FeedOutcome.Status.NOT_MODIFIED);
        long failedFeeds = report.feeds(FeedOutcome.Status.FAILED);
        return posts + report.count(PostStatus.UNCHANGED) + " unchanged, " + report.count(PostStatus.FAILED) + " failed"
                + (notModified > 0 ? "; " + feeds(notModified) + " not modified" : "")
                + (failedFeeds > 0 ? "; " + feeds(failedFeeds) + " failed" : "");
    }

    private static String feeds(long n) {
        return n + (n == 1 ? " feed" : " feeds");
    }

    private void drawBar() {
        if (!terminal || total == 0) {
            return;
        }
        int filled = BAR_WIDTH * done / total;
        err.print("\r[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + done + "/" + total);
        err.flush();
    }

    private void clearBar() {
        if (terminal) {
            err.print("\r" + " ".repeat(BAR_WIDTH + 20) + "\r");
        }
    }
}

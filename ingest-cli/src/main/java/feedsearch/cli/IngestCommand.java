package feedsearch.cli;

import feedsearch.store.StoreAccess;
import feedsearch.ExitCode;
import feedsearch.config.Settings;
import feedsearch.embed.Embedder;
import feedsearch.extract.ArticleExtractor;
import feedsearch.feed.FeedListException;
import feedsearch.feed.FeedListFile;
import feedsearch.feed.FeedReader;
import feedsearch.feed.OpmlFeedList;
import feedsearch.fetch.Fetcher;
import feedsearch.ingest.FeedRequest;
import feedsearch.ingest.IngestOptions;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.Ingester;
import feedsearch.store.IndexHealth;
import feedsearch.store.VectorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

@Command(name = "ingest", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        subcommands = {IngestStatusCommand.class, IngestReindexCommand.class, IngestDropCommand.class},
        description = {
                "Read RSS/Atom feeds, take each post's text (the feed's full content, else the post's page), "
                        + "embed it and store the vectors for 'query'.",
                "Unchanged posts are skipped without embedding; changed posts are replaced; a bad feed or page "
                        + "is reported and the run goes on."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  ingest --feed samples/feed.xml",
                "  ingest --feed https://example.org/feed.xml --tag example --concurrency 8",
                "  ingest --feeds-file feeds.txt --quiet        # from cron",
                "  ingest --opml subscriptions.opml             # a feed reader's export; titles become tags",
                "  ingest --feed https://example.org/atom.xml --selector 'div.post-body' --dry-run",
                "  OPENAI_API_KEY=... ingest --feed samples/feed.xml --embedder openai --index openai",
                "  REDIS_URL=redis://localhost:6379 ingest --feed samples/feed.xml",
                "  ingest status --json",
                "",
                FeedsearchCommand.EXIT_CODES, "", FeedsearchCommand.CONFIG})
public final class IngestCommand extends FeedsearchCommand {
    @Option(names = "--feed", paramLabel = "URL|FILE", description = "Feed to read: http(s) URL or local file. Repeatable.")
    List<String> feeds = new ArrayList<>();

    @Option(names = "--feeds-file", paramLabel = "FILE", description = "File with one feed per line (# starts a comment).")
    Path feedsFile;

    @Option(names = "--opml", paramLabel = "FILE",
            description = "OPML file of feeds, as feed readers export it: every outline with an xmlUrl (http or https), "
                    + "in folders at any depth; each feed's posts are recorded under its outline's title (else its text). "
                    + "Combines with --feed and --feeds-file; a feed given twice is read once, under its first name.")
    Path opml;

    @Option(names = "--tag", paramLabel = "NAME",
            description = "Record posts under this feed name instead of the feed URL. Names one feed only: refused "
                    + "when --feed, --feeds-file or --opml give more than one.")
    String tag;

    @Option(names = "--limit", paramLabel = "N", description = "At most N entries per feed.")
    int limit;

    @Option(names = "--since", paramLabel = "DATE", converter = InstantConverter.class,
            description = "Only entries published on or after DATE (YYYY-MM-DD, or ISO date-time with offset); "
                    + "entries without a date are skipped.")
    Instant since;

    @Option(names = "--selector", paramLabel = "CSS",
            description = "CSS selector of the article body on post pages (default: find it).")
    String selector;

    @Option(names = "--force", description = "Re-embed and rewrite every post, even unchanged ones.")
    boolean force;

    @Option(names = "--dry-run", description = "Show what would be added or updated; embed and write nothing.")
    boolean dryRun;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4",
            description = "Pages fetched at once, and feeds fetched ahead of the one being ingested (at most 4) "
                    + "(default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--openai-concurrency", paramLabel = "N", defaultValue = "4",
            description = "With --embedder openai: embedding requests in flight at once, each carrying the "
                    + "passages of many posts (up to 1024) (default: ${DEFAULT-VALUE}; 1 to 32).")
    int openaiConcurrency;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "20",
            description = "Most time one feed or page may take, from connecting to its last byte, redirects "
                    + "included (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--max-page-size", paramLabel = "MIB", defaultValue = "10",
            description = "Skip pages and feeds larger than this (default: ${DEFAULT-VALUE} MiB).")
    int maxPageMiB;

    @Option(names = "--allow-private-links",
            description = "Let links in a feed from a public address lead to private and loopback addresses "
                    + "(refused by default; a feed on such an address may always link there). "
                    + "Link-local and cloud metadata addresses are never fetched.")
    boolean allowPrivateLinks;

    @Option(names = "--json", description = "Print one JSON object per post and a summary, for scripts.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only failures (for cron).")
    boolean quiet;

    @Mixin
    StoreOptions storeOptions;

    @Mixin
    EmbedderOptions embedderOptions;

    @Mixin
    IndexLayoutOptions layoutOptions;

    public static void main(String[] args) {
        runAndExit(new IngestCommand(), args);
    }

    @Override
    protected int execute() {
        List<FeedRequest> requests = feedRequests();
        if (concurrency < 1 || concurrency > 64) {
            throw usage("--concurrency must be between 1 and 64");
        }
        if (openaiConcurrency < 1 || openaiConcurrency > 32) {
            throw usage("--openai-concurrency must be between 1 and 32");
        }
        if (limit < 0 || timeoutSeconds < 1 || maxPageMiB < 1) {
            throw usage("--limit, --timeout and --max-page-size take positive numbers");
        }
        Settings settings = layoutOptions.applyTo(embedderOptions.applyTo(storeOptions.applyTo(baseSettings())))
                .withHttp(Duration.ofSeconds(timeoutSeconds), maxPageMiB * 1024L * 1024L);
        Fetcher fetcher = settings.fetcher(allowPrivateLinks);
        // Built first: a mistyped --selector is a usage error before any store is opened.
        ArticleExtractor extractor = new ArticleExtractor(fetcher, selector);
        try (fetcher;
             VectorStore store = settings.openStore(StoreAccess.INGEST);
             Embedder embedder = settings.embedderForIngest(store.meta())) {
            if (!quiet && !json) {
                err().println("ingest: using " + store.describe() + ", embedder " + embedder.name() + "/" + embedder.modelId());
            }
            if (!dryRun) {
                store.upgrade().ifPresent(done -> err().println("ingest: " + done));
            }
            IngestProgress progress = new IngestProgress(out(), err(), json, quiet, System.console() != null);
            Ingester ingester = new Ingester(store, embedder, new FeedReader(fetcher), extractor, progress, Clock.systemUTC());
            int embedConcurrency = embedder.embedsInParallel() ? openaiConcurrency : 1;
            // Ctrl-C or a timeout's SIGTERM ends the run between two posts' writes: say so, and
            // what it leaves (cron mails stderr even under --quiet).
            Thread stopped = new Thread(() -> err().println("ingest: stopped before the end; every post reported "
                    + "so far is stored; run again to finish"), "feedsearch-stopped");
            Runtime.getRuntime().addShutdownHook(stopped);
            IngestReport report;
            try {
                report = ingester.run(requests, new IngestOptions(limit, since, force, dryRun, concurrency, embedConcurrency));
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(stopped);
                } catch (IllegalStateException exiting) {
                    // Stopping already: the hook says so.
                }
            }
            progress.summary(report, store.describe(), dryRun, embedder.usage());
            boolean indexFailed = !dryRun && !indexIsHealthy(store.health());
            return report.hasFailures() || indexFailed ? ExitCode.PARTIAL_FAILURE.code() : ExitCode.OK.code();
        }
    }

    /** A store that accepted writes but could not index them is a failed run, said plainly. */
    private boolean indexIsHealthy(IndexHealth health) {
        if (health.failures() > 0) {
            err().println("ingest: " + health.failures() + " passages could not be indexed; last error: " + health.lastError());
            return false;
        }
        if (!quiet && !json) {
            err().printf("index: %d passages, %.0f%% indexed%n", health.documents(), health.percentIndexed());
        }
        return true;
    }

    private List<FeedRequest> feedRequests() {
        List<FeedRequest> requests = new ArrayList<>();
        for (String feed : feeds) {
            requests.add(FeedRequest.of(FeedReader.locate(feed), tag));
        }
        if (feedsFile != null) {
            try {
                for (URI feed : FeedListFile.read(feedsFile)) {
                    requests.add(FeedRequest.of(feed, tag));
                }
            } catch (FeedListException e) {
                throw usage("--feeds-file " + feedsFile + ": " + e.getMessage());
            }
        }
        if (opml != null) {
            try {
                for (OpmlFeedList.Entry feed : OpmlFeedList.read(opml)) {
                    requests.add(FeedRequest.of(feed.url(), tag != null ? tag : feed.title()));
                }
            } catch (FeedListException e) {
                throw usage("--opml " + opml + ": " + e.getMessage());
            }
        }
        if (requests.isEmpty()) {
            throw usage(feedsFile != null
                    ? "--feeds-file " + feedsFile + " lists no feed (one URL or path a line; # starts a comment)"
                    : "no feed given: use --feed URL, --feeds-file FILE or --opml FILE (see --help)");
        }
        long distinct = requests.stream().map(FeedRequest::location).distinct().count();
        if (tag != null && distinct > 1) {
            throw usage("--tag names one feed, but " + distinct + " were given");
        }
        return FeedRequest.distinct(requests, warning -> {
            if (!quiet) {
                err().println("ingest: " + warning);
            }
        });
    }
}

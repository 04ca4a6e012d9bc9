package feedsearch.ingest;

import feedsearch.FeedsearchException;
import feedsearch.TaskFailure;
import feedsearch.chunk.Chunker;
import feedsearch.chunk.Passage;
import feedsearch.embed.Embedder;
import feedsearch.extract.Article;
import feedsearch.extract.ArticleExtractor;
import feedsearch.extract.ExtractException;
import feedsearch.feed.Feed;
import feedsearch.feed.FeedEntry;
import feedsearch.feed.FeedException;
import feedsearch.feed.FeedReader;
import feedsearch.feed.PostId;
import feedsearch.fetch.Access;
import feedsearch.store.FeedState;
import feedsearch.store.PostRecord;
import feedsearch.store.PostWrite;
import feedsearch.store.StoredPassage;
import feedsearch.store.VectorStore;
import feedsearch.store.WriteLock;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Feeds to store: reads each feed, gets each post's text, and embeds and writes only what
 * changed. The next few feeds are read while one is ingested, and reported in their order.
 * Pages are fetched {@code concurrency} at a time, a bounded window ahead of the thread
 * that embeds and writes, so a long feed never sits in memory with all its text and vectors.
 * Changed posts' passages are embedded many posts to a call ({@link EmbeddingBatcher}), a few
 * calls in flight while pages are still being read; each post is written whole from its
 * batch's outcome, the posts of a few batches in one store write, and a batch that fails fails
 * exactly its posts.
 * A bad feed or post is reported and the run goes on; a store that fails stops the run.
 */
public final class Ingester {
    /** Passages of about this many tokens retrieve better than whole posts; a model with a smaller window (the local one: 126) gets smaller ones. */
    static final int PASSAGE_TOKENS = 200;
    static final int OVERLAP_TOKENS = 32;
    /** How long gathered posts wait for batch-mates while pages are slow to come, one slow page or many. */
    static final long BATCH_PATIENCE_MILLIS = 1000;
    /**
     * Embedded posts are written to the store a few batches at a time: each write is a commit,
     * which in the local store flushes a new index segment, and an index of many small segments
     * is slower to open and to search; past ten, Lucene merges them, rebuilding their vector
     * graphs beside the model (in a first ingest of the blog, 4,344 passages, writes of 256
     * passages or 2 s cost 0.8 CPU-seconds of merging; these leave 7 segments and no merge).
     * Reports wait for the write: posts wait this long, plus the embedding call under way when it
     * passes, before they are written, and a run killed meanwhile embeds them again next time.
     */
    static final long WRITE_INTERVAL_MILLIS = 5000;
    /** ... or until this many passages gathered, whichever comes first. */
    static final int WRITE_PASSAGES = 1024;
    /** At most this many feeds are fetched ahead (and at most --concurrency): each holds up to the size cap in bytes. */
    static final int MAX_FEEDS_AHEAD = 4;
    /** Servers refuse request lines much longer than this, and stores index URLs whole. */
    static final int MAX_LINK_CHARS = 8192;
    /** The title goes in front of every passage it embeds, cut to this length. */
    private static final int TITLE_CHARS = 150;

    private final VectorStore store;
    private final Embedder embedder;
    private final FeedReader feeds;
    private final ArticleExtractor extractor;
    private final IngestListener listener;
    private final Clock clock;
    /**
     * Chunkers by passage size (nearly always {@link #PASSAGE_TOKENS}): langchain4j's splitter
     * loads OpenNLP's sentence model once per splitter level it builds, and a chunker a post
     * loaded it several times a post, about a third of the chunking CPU of a cold ingest. Used
     * by the run's thread alone: OpenNLP's sentence detector inside is not thread-safe.
     */
    private final Map<Integer, Chunker> chunkers = new HashMap<>();

    public Ingester(VectorStore store, Embedder embedder, FeedReader feeds, ArticleExtractor extractor,
                    IngestListener listener, Clock clock) {
        this.store = store;
        this.embedder = embedder;
        this.feeds = feeds;
        this.extractor = extractor;
        this.listener = listener;
        this.clock = clock;
    }

    public IngestReport run(List<FeedRequest> requests, IngestOptions options) {
        try (WriteLock feedLocks = store.lockFeeds(requests.stream().map(FeedRequest::name).toList())) {
            return runLocked(requests, options);
        }
    }

    private IngestReport runLocked(List<FeedRequest> requests, IngestOptions options) {
        if (!options.dryRun()) {
            if (store.meta().isEmpty()) {
                // A new index: every post is to be embedded, so the model loads while feeds and pages are read.
                embedder.warmUp();
            }
            store.prepare(embedder.name(), embedder.modelId(), embedder.dimension());
        }
        ExecutorService pages = daemonThreads(options.concurrency(), "feedsearch-fetch");
        // Feeds are fetched a few ahead of the one being ingested: a silent server holds up its own
        // feed for the timeout, not every feed listed after it (100 such feeds took 100 timeouts).
        // Only their bytes wait; each is parsed in turn, as it is ingested (five hostile 10 MiB
        // feeds parsed ahead took the run's peak from 272 to 497 MiB).
        int feedsAhead = Math.min(options.concurrency(), MAX_FEEDS_AHEAD);
        ExecutorService feedReads = daemonThreads(feedsAhead, "feedsearch-feed");
        try (EmbeddingBatcher<Changed> batcher = new EmbeddingBatcher<>(embedder, options.embedConcurrency(), clock)) {
            List<FeedOutcome> outcomes = new ArrayList<>();
            Deque<FeedRead> reads = new ArrayDeque<>();
            int next = 0;
            for (FeedRequest request : requests) {
                while (next < requests.size() && reads.size() <= feedsAhead) {
                    FeedRequest ahead = requests.get(next++);
                    Optional<FeedState> state = options.force() ? Optional.empty() : store.feedState(ahead.name());
                    reads.add(new FeedRead(state, feedReads.submit(() -> feeds.fetch(ahead.location(),
                            state.map(FeedState::etag).orElse(null), state.map(FeedState::lastModified).orElse(null)))));
                }
                FeedOutcome outcome = ingestFeed(request, reads.removeFirst(), options, pages, batcher);
                outcomes.add(outcome);
                listener.feedDone(outcome);
            }
            return new IngestReport(List.copyOf(outcomes));
        } finally {
            feedReads.shutdownNow();
            pages.shutdownNow();
        }
    }

    private static ExecutorService daemonThreads(int count, String name) {
        return Executors.newFixedThreadPool(count, runnable -> {
            Thread t = new Thread(runnable, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A feed being fetched ahead, and the stored state its request was made with. */
    private record FeedRead(Optional<FeedState> previous, Future<FeedReader.Fetched> fetched) {
    }

    private FeedOutcome ingestFeed(FeedRequest request, FeedRead read, IngestOptions options, ExecutorService pages,
                                   EmbeddingBatcher<Changed> batcher) {
        Optional<FeedState> previous = read.previous();
        Feed feed;
        try {
            feed = feeds.parse(await(read.fetched()));
        } catch (FeedException e) {
            return new FeedOutcome(request.name(), FeedOutcome.Status.FAILED, e.getMessage(), List.of());
        } catch (FeedsearchException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e; // the run is being stopped while it waited for the feed: not the feed's fault
            }
            // A parser bug that a hostile feed found: that feed fails, the run goes on.
            return new FeedOutcome(request.name(), FeedOutcome.Status.FAILED,
                    "feed " + request.location() + ": could not be read: " + e, List.of());
        }
        if (feed.notModified()) {
            if (!options.dryRun()) {
                store.saveFeedState(new FeedState(request.name(), feed.etag(), feed.lastModified(), clock.instant(),
                        previous.map(FeedState::entries).orElse(0)));
            }
            return new FeedOutcome(request.name(), FeedOutcome.Status.NOT_MODIFIED, null, List.of());
        }
        List<FeedEntry> entries = select(feed.entries(), options);
        listener.feedStarted(request.name(), entries.size());

        // Changed posts wait in the batcher for vectors, sharing embedding requests with other
        // posts; each outcome lands at its entry's place, so the report keeps the feed's order.
        PostOutcome[] posts = new PostOutcome[entries.size()];
        FeedWrites writes = new FeedWrites(posts, batcher);
        Set<String> seen = new HashSet<>();
        Deque<Future<Extraction>> window = new ArrayDeque<>();
        int next = 0;
        int position = 0;
        while (next < entries.size() || !window.isEmpty()) {
            while (next < entries.size() && window.size() < 2 * options.concurrency()) {
                FeedEntry entry = entries.get(next++);
                window.add(pages.submit(() -> extract(entry, feed.links())));
            }
            int at = position++;
            // Also writes what is pending once it is due, whatever the entries before were.
            writes.add(() -> batcher.sendIfWaited(BATCH_PATIENCE_MILLIS));
            Prepared prepared = prepare(request.name(), awaitNext(window, writes::finish), options, at, seen);
            if (prepared.outcome() != null) {
                done(posts, at, prepared.outcome());
            } else {
                Changed changed = prepared.changed();
                writes.add(() -> batcher.add(changed, changed.inputs()));
            }
        }
        // The feed's state must reflect all its posts: its last batch goes now, not with the next feed's.
        writes.finish();
        FeedOutcome outcome = new FeedOutcome(request.name(), FeedOutcome.Status.READ, null, List.of(posts));
        if (!options.dryRun()) {
            // Keep the validators only when this run read the whole feed and every post made it: a
            // 304 next time must not hide the posts that failed, nor those --limit or --since left out.
            boolean clean = !outcome.hasFailures() && entries.size() == feed.entries().size();
            store.saveFeedState(new FeedState(request.name(), clean ? feed.etag() : null,
                    clean ? feed.lastModified() : null, clock.instant(), feed.entries().size()));
        }
        return outcome;
    }

    private static List<FeedEntry> select(List<FeedEntry> entries, IngestOptions options) {
        List<FeedEntry> selected = new ArrayList<>();
        for (FeedEntry entry : entries) {
            if (options.since() != null && (entry.published() == null || entry.published().isBefore(options.since()))) {
                continue;
            }
            selected.add(entry);
            if (options.limit() > 0 && selected.size() == options.limit()) {
                break;
            }
        }
        return selected;
    }

    /** An entry with its article, or why there is none. */
    private record Extraction(FeedEntry entry, Article article, String error) {
    }

    private Extraction extract(FeedEntry entry, Access links) {
        if (entry.link() == null) {
            return new Extraction(entry, null, "entry '" + entry.title() + "' has no link to identify it by");
        }
        if (entry.link().toString().length() > MAX_LINK_CHARS) {
            return new Extraction(entry, null, "entry '" + entry.title() + "' links to a URL of "
                    + entry.link().toString().length() + " characters; more than " + MAX_LINK_CHARS + " is not a post's address");
        }
        try {
            return new Extraction(entry, extractor.extract(entry, links), null);
        } catch (ExtractException e) {
            return new Extraction(entry, null, e.getMessage());
        } catch (RuntimeException e) {
            return new Extraction(entry, null, entry.link() + ": " + e);
        }
    }

    /**
     * The next page's extraction. While a slow page keeps the run waiting, the posts already
     * gathered for embedding go out after {@link #BATCH_PATIENCE_MILLIS} rather than wait for
     * batch-mates: finished work is stored, not held, while the network dawdles.
     */
    private static Extraction awaitNext(Deque<Future<Extraction>> window, Runnable meanwhile) {
        Future<Extraction> next = window.removeFirst();
        try {
            try {
                return next.get(BATCH_PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException slowPage) {
                meanwhile.run();
                return next.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching pages", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("page fetch failed unexpectedly", e.getCause());
        }
    }

    /** The feed's answer, or what fetching it threw, as it was thrown. */
    private static FeedReader.Fetched await(Future<FeedReader.Fetched> fetched) throws FeedException {
        try {
            return fetched.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading feeds", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof FeedException failed) {
                throw failed;
            }
            throw TaskFailure.unchecked(e.getCause());
        }
    }

    /** A post whose text changed, chunked and waiting for its vectors. */
    private record Changed(int position, String feed, String url, Article article, PostId id, boolean replaces,
                           List<Passage> passages, List<String> inputs) {
    }

    /** Either the post's outcome, when nothing is to be embedded, or the post to embed. */
    private record Prepared(PostOutcome outcome, Changed changed) {
    }

    /** @param seen the ids of the posts this feed's earlier entries stood for, this one's added */
    private Prepared prepare(String feed, Extraction extraction, IngestOptions options, int position, Set<String> seen) {
        FeedEntry entry = extraction.entry();
        String url = entry.link() == null ? null : entry.link().toString();
        if (extraction.error() != null) {
            return new Prepared(new PostOutcome(feed, url, entry.title(), PostStatus.FAILED, 0, extraction.error()), null);
        }
        Article article = extraction.article();
        PostId id = PostId.of(article.url());
        if (!seen.add(id.value())) {
            // Links that differ only by a fragment or a tracking parameter, or a canonical link:
            // one post, written once, so that neither the counts nor the stored title flip-flop.
            return new Prepared(new PostOutcome(feed, url, article.title(), PostStatus.UNCHANGED, 0, null), null);
        }
        Optional<PostRecord> existing = store.post(id.value());
        if (existing.isPresent() && existing.get().contentHash().equals(article.contentHash()) && !options.force()) {
            return new Prepared(new PostOutcome(feed, url, article.title(), PostStatus.UNCHANGED, 0, null), null);
        }
        if (!options.dryRun()) {
            // Something is to be embedded after all: the model loads while this post is chunked.
            embedder.warmUp();
        }
        String title = article.title().length() > TITLE_CHARS ? article.title().substring(0, TITLE_CHARS) : article.title();
        List<Passage> passages = chunker(title).split(article.text());
        if (options.dryRun()) {
            return new Prepared(new PostOutcome(feed, url, article.title(),
                    existing.isPresent() ? PostStatus.WOULD_UPDATE : PostStatus.WOULD_ADD, passages.size(), null), null);
        }
        List<String> inputs = new ArrayList<>(passages.size());
        for (Passage p : passages) {
            inputs.add(title + "\n\n" + p.text());
        }
        return new Prepared(null, new Changed(position, feed, url, article, id, existing.isPresent(), passages, inputs));
    }

    /**
     * A feed's embedded posts on their way from the batcher to the store, written together
     * ({@link #WRITE_INTERVAL_MILLIS}). When a batcher step fails in a way that stops the run (a
     * refused API key), the posts embedded before it, which may have been paid for, are stored
     * before the failure goes on up.
     */
    private final class FeedWrites {
        private final PostOutcome[] posts;
        private final EmbeddingBatcher<Changed> batcher;
        private final List<EmbeddingBatcher.Embedded<Changed>> pending = new ArrayList<>();
        private int passages;
        private long firstPending;

        FeedWrites(PostOutcome[] posts, EmbeddingBatcher<Changed> batcher) {
            this.posts = posts;
            this.batcher = batcher;
        }

        /** Takes the posts a batcher step brought back, and writes all that is pending when enough gathered or waited. */
        void add(Supplier<List<EmbeddingBatcher.Embedded<Changed>>> step) {
            List<EmbeddingBatcher.Embedded<Changed>> embedded = run(step);
            if (pending.isEmpty()) {
                if (embedded.isEmpty()) {
                    return;
                }
                firstPending = clock.millis();
            }
            pending.addAll(embedded);
            for (EmbeddingBatcher.Embedded<Changed> e : embedded) {
                passages += e.post().passages().size();
            }
            if (passages >= WRITE_PASSAGES || clock.millis() - firstPending >= WRITE_INTERVAL_MILLIS) {
                write(List.of());
            }
        }

        /** Every post still in the batcher, written with what is pending: the feed ends, or the run waits on the network. */
        void finish() {
            write(run(batcher::finish));
        }

        private List<EmbeddingBatcher.Embedded<Changed>> run(Supplier<List<EmbeddingBatcher.Embedded<Changed>>> step) {
            try {
                return step.get();
            } catch (RuntimeException stop) {
                try {
                    write(batcher.takeDone());
                } catch (RuntimeException alsoFailed) {
                    stop.addSuppressed(alsoFailed);
                }
                throw stop;
            }
        }

        private void write(List<EmbeddingBatcher.Embedded<Changed>> embedded) {
            pending.addAll(embedded);
            if (!pending.isEmpty()) {
                writeAll(posts, pending);
                pending.clear();
                passages = 0;
            }
        }
    }

    /**
     * Writes posts whose vectors came back to the store, so that it may commit them together;
     * each is reported after that, so none is reported written before it is durable.
     */
    private void writeAll(PostOutcome[] posts, List<EmbeddingBatcher.Embedded<Changed>> embedded) {
        List<PostWrite> writes = new ArrayList<>(embedded.size());
        for (EmbeddingBatcher.Embedded<Changed> e : embedded) {
            if (e.failure() == null) {
                writes.add(toWrite(e));
            }
        }
        List<IllegalArgumentException> refusals = writes.isEmpty() ? List.of() : store.replacePosts(writes);
        int written = 0;
        for (EmbeddingBatcher.Embedded<Changed> e : embedded) {
            Changed post = e.post();
            PostOutcome outcome;
            // Named by URL, as extraction's failures are: "failed: ..." is all a cron mail shows.
            if (e.failure() != null) {
                outcome = new PostOutcome(post.feed(), post.url(), post.article().title(), PostStatus.FAILED, 0,
                        post.url() + ": embedding failed: " + e.failure().getMessage());
            } else {
                IllegalArgumentException refusal = refusals.get(written++);
                // The store refused this one document (a value beyond its limits): that post fails, not the run.
                outcome = refusal != null
                        ? new PostOutcome(post.feed(), post.url(), post.article().title(), PostStatus.FAILED, 0,
                                post.url() + ": could not be stored: " + refusal.getMessage())
                        : new PostOutcome(post.feed(), post.url(), post.article().title(),
                                post.replaces() ? PostStatus.UPDATED : PostStatus.ADDED, post.passages().size(), null);
            }
            done(posts, post.position(), outcome);
        }
    }

    private void done(PostOutcome[] posts, int position, PostOutcome outcome) {
        posts[position] = outcome;
        listener.postDone(outcome);
    }

    private PostWrite toWrite(EmbeddingBatcher.Embedded<Changed> embedded) {
        Changed post = embedded.post();
        Article article = post.article();
        List<StoredPassage> stored = new ArrayList<>(post.passages().size());
        for (Passage p : post.passages()) {
            stored.add(new StoredPassage(p.index(), p.text(), embedded.vectors().get(p.index())));
        }
        return new PostWrite(new PostRecord(post.id().value(), post.id().canonicalUrl(), article.title(), post.feed(),
                article.published(), article.contentHash(), post.passages().size(), clock.instant()), stored);
    }

    private Chunker chunker(String title) {
        int room = embedder.maxInputTokens() - embedder.countTokens(title) - 4;
        int size = Math.max(OVERLAP_TOKENS * 2, Math.min(PASSAGE_TOKENS, room));
        return chunkers.computeIfAbsent(size, s -> new Chunker(s, OVERLAP_TOKENS, embedder::countTokens));
    }
}

package feedsearch.ingest;

import feedsearch.FeedsearchException;
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
import feedsearch.store.StoredPassage;
import feedsearch.store.VectorStore;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Feeds to store: reads each feed, gets each post's text, and embeds and writes only what
 * changed. Pages are fetched {@code concurrency} at a time, a bounded window ahead of the thread
 * that embeds and writes, so a long feed never sits in memory with all its text and vectors.
 * A bad feed or post is reported and the run goes on; a store that fails stops the run.
 */
public final class Ingester {
    /** Passages of about this many tokens retrieve better than whole posts, and fit every model. */
    static final int PASSAGE_TOKENS = 200;
    static final int OVERLAP_TOKENS = 32;
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
        if (!options.dryRun()) {
            store.prepare(embedder.name(), embedder.modelId(), embedder.dimension());
        }
        ExecutorService pages = Executors.newFixedThreadPool(options.concurrency(), runnable -> {
            Thread t = new Thread(runnable, "feedsearch-fetch");
            t.setDaemon(true);
            return t;
        });
        try {
            List<FeedOutcome> outcomes = new ArrayList<>();
            for (FeedRequest request : requests) {
                FeedOutcome outcome = ingestFeed(request, options, pages);
                outcomes.add(outcome);
                listener.feedDone(outcome);
            }
            return new IngestReport(List.copyOf(outcomes));
        } finally {
            pages.shutdownNow();
        }
    }

    private FeedOutcome ingestFeed(FeedRequest request, IngestOptions options, ExecutorService pages) {
        Optional<FeedState> previous = options.force() ? Optional.empty() : store.feedState(request.name());
        Feed feed;
        try {
            feed = feeds.read(request.location(),
                    previous.map(FeedState::etag).orElse(null), previous.map(FeedState::lastModified).orElse(null));
        } catch (FeedException e) {
            listener.feedStarted(request.name(), 0);
            return new FeedOutcome(request.name(), FeedOutcome.Status.FAILED, e.getMessage(), List.of());
        } catch (FeedsearchException e) {
            throw e;
        } catch (RuntimeException e) {
            // A parser bug that a hostile feed found: that feed fails, the run goes on.
            listener.feedStarted(request.name(), 0);
            return new FeedOutcome(request.name(), FeedOutcome.Status.FAILED,
                    "feed " + request.location() + ": could not be read: " + e, List.of());
        }
        if (feed.notModified()) {
            listener.feedStarted(request.name(), 0);
            if (!options.dryRun()) {
                store.saveFeedState(new FeedState(request.name(), feed.etag(), feed.lastModified(), clock.instant(),
                        previous.map(FeedState::entries).orElse(0)));
            }
            return new FeedOutcome(request.name(), FeedOutcome.Status.NOT_MODIFIED, null, List.of());
        }
        List<FeedEntry> entries = select(feed.entries(), options);
        listener.feedStarted(request.name(), entries.size());

        List<PostOutcome> posts = new ArrayList<>(entries.size());
        Deque<Future<Extraction>> window = new ArrayDeque<>();
        int next = 0;
        while (next < entries.size() || !window.isEmpty()) {
            while (next < entries.size() && window.size() < 2 * options.concurrency()) {
                FeedEntry entry = entries.get(next++);
                window.add(pages.submit(() -> extract(entry, feed.links())));
            }
            PostOutcome outcome = store(request.name(), awaitNext(window), options);
            posts.add(outcome);
            listener.postDone(outcome);
        }
        FeedOutcome outcome = new FeedOutcome(request.name(), FeedOutcome.Status.READ, null, List.copyOf(posts));
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

    private static Extraction awaitNext(Deque<Future<Extraction>> window) {
        try {
            return window.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching pages", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("page fetch failed unexpectedly", e.getCause());
        }
    }

    private PostOutcome store(String feed, Extraction extraction, IngestOptions options) {
        FeedEntry entry = extraction.entry();
        String url = entry.link() == null ? null : entry.link().toString();
        if (extraction.error() != null) {
            return new PostOutcome(feed, url, entry.title(), PostStatus.FAILED, 0, extraction.error());
        }
        Article article = extraction.article();
        PostId id = PostId.of(article.url());
        String hash = article.contentHash();
        Optional<PostRecord> existing = store.post(id.value());
        if (existing.isPresent() && existing.get().contentHash().equals(hash) && !options.force()) {
            return new PostOutcome(feed, url, article.title(), PostStatus.UNCHANGED, 0, null);
        }
        String title = article.title().length() > TITLE_CHARS ? article.title().substring(0, TITLE_CHARS) : article.title();
        List<Passage> passages = chunker(title).split(article.text());
        if (options.dryRun()) {
            return new PostOutcome(feed, url, article.title(),
                    existing.isPresent() ? PostStatus.WOULD_UPDATE : PostStatus.WOULD_ADD, passages.size(), null);
        }
        List<float[]> vectors;
        try {
            vectors = embedder.embed(passages.stream().map(p -> title + "\n\n" + p.text()).toList());
        } catch (FeedsearchException e) {
            throw e;
        } catch (RuntimeException e) {
            return new PostOutcome(feed, url, article.title(), PostStatus.FAILED, 0, "embedding failed: " + e.getMessage());
        }
        List<StoredPassage> stored = new ArrayList<>(passages.size());
        for (Passage p : passages) {
            stored.add(new StoredPassage(p.index(), p.text(), vectors.get(p.index())));
        }
        try {
            store.replacePost(new PostRecord(id.value(), id.canonicalUrl(), article.title(), feed, article.published(),
                    hash, passages.size(), clock.instant()), stored);
        } catch (IllegalArgumentException e) {
            // The store refused this one document (a value beyond its limits): that post fails, not the run.
            return new PostOutcome(feed, url, article.title(), PostStatus.FAILED, 0, "could not be stored: " + e.getMessage());
        }
        return new PostOutcome(feed, url, article.title(),
                existing.isPresent() ? PostStatus.UPDATED : PostStatus.ADDED, passages.size(), null);
    }

    private Chunker chunker(String title) {
        int room = embedder.maxInputTokens() - embedder.countTokens(title) - 4;
        int size = Math.max(OVERLAP_TOKENS * 2, Math.min(PASSAGE_TOKENS, room));
        return new Chunker(size, OVERLAP_TOKENS, embedder::countTokens);
    }
}

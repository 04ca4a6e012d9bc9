package feedsearch.testing;

import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.extract.ArticleExtractor;
import feedsearch.feed.FeedReader;
import feedsearch.fetch.Fetcher;
import feedsearch.ingest.FeedRequest;
import feedsearch.ingest.IngestListener;
import feedsearch.ingest.IngestOptions;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.Ingester;
import feedsearch.store.LocalStore;
import feedsearch.store.VectorStore;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The ingest pipeline as the command builds it, for tests that need posts in a store. */
public final class TestIngest {
    private TestIngest() {
    }

    public static IngestReport feed(VectorStore store, Embedder embedder, URI feed, String name, IngestOptions options) {
        return feed(store, embedder, feed, name, options, IngestListener.NONE);
    }

    public static IngestReport feed(VectorStore store, Embedder embedder, URI feed, String name, IngestOptions options,
                                    IngestListener listener) {
        Fetcher fetcher = new Fetcher(Duration.ofSeconds(5), 10L << 20, "feedsearch-test", false);
        return new Ingester(store, embedder, new FeedReader(fetcher), new ArticleExtractor(fetcher, null),
                listener, Clock.systemUTC())
                .run(List.of(FeedRequest.of(feed, name)), options);
    }

    /** A local store at {@code path} holding the sample feed embedded by the real local model; returns the path. */
    public static String sampleLocalStore(Path path) {
        try (LocalStore local = LocalStore.openForWriting(path)) {
            sample(local, new LocalEmbedder());
        }
        return path.toString();
    }

    /** The repository's sample feed, recorded under the feed name {@code sample}. */
    public static IngestReport sample(VectorStore store, Embedder embedder) {
        return feed(store, embedder, FeedReader.locate(SampleFeed.path().toString()), "sample", IngestOptions.DEFAULTS);
    }
}

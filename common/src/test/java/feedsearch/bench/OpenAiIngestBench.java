package feedsearch.bench;

import feedsearch.embed.Embedder;
import feedsearch.embed.EmbeddingUsage;
import feedsearch.embed.OpenAiEmbedder;
import feedsearch.feed.FeedReader;
import feedsearch.ingest.IngestOptions;
import feedsearch.ingest.IngestReport;
import feedsearch.ingest.PostStatus;
import feedsearch.openai.OpenAiClient;
import feedsearch.openai.OpenAiSettings;
import feedsearch.store.LocalStore;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.GeneratedFeed;
import feedsearch.testing.TestIngest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * First ingest of a generated full-content feed (no page fetches) with the OpenAI embedder
 * against the in-process fake API answering each request after a fixed delay: batched across
 * posts with N requests in flight, and the old way, one request per post, one at a time.
 * Not a test: run by scripts/bench-openai.sh.
 *
 * <pre>OpenAiIngestBench [POSTS [WORDS_PER_POST [DELAY_MS [CONCURRENCY]]]]</pre>
 */
public final class OpenAiIngestBench {
    private static final String MODEL = "hash-bench"; // cheap vectors: the API's delay is what is measured

    public static void main(String[] args) throws Exception {
        int posts = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int words = args.length > 1 ? Integer.parseInt(args[1]) : 560;
        int delay = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int concurrency = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        Path dir = Files.createTempDirectory("bench-openai");
        Path feed = GeneratedFeed.write(dir.resolve("feed.xml"), posts, words);
        System.out.printf("feed: %d generated full-content posts of ~%d words (local file, no page fetches); "
                + "fake API answers each request after %d ms; %d cores%n", posts, words, delay, Runtime.getRuntime().availableProcessors());
        try {
            run("warm-up (JIT; not counted)", delay, feed, dir.resolve("warm"), false, concurrency);
            run("batched, --openai-concurrency " + concurrency, delay, feed, dir.resolve("batched"), false, concurrency);
            run("old: one request per post, in turn", delay, feed, dir.resolve("per-post"), true, 1);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(String label, int delay, Path feed, Path store, boolean perPost, int concurrency) {
        try (FakeOpenAi api = new FakeOpenAi(null)) {
            api.delayingEachRequest(delay);
            run(label, api, feed, store, perPost, concurrency);
        }
    }

    private static void run(String label, FakeOpenAi api, Path feed, Path store, boolean perPost, int concurrency) {
        OpenAiSettings settings = new OpenAiSettings(api.baseUrl(), null, Duration.ofSeconds(10), Duration.ofSeconds(60), 5);
        long start = System.nanoTime();
        IngestReport report;
        EmbeddingUsage usage;
        try (LocalStore local = LocalStore.openForWriting(store);
             OpenAiEmbedder openai = new OpenAiEmbedder(new OpenAiClient(settings, d -> Thread.sleep(d.toMillis())), MODEL)) {
            Embedder embedder = perPost ? new OnePostPerCall(openai) : openai;
            report = TestIngest.feed(local, embedder, FeedReader.locate(feed.toString()), "bench",
                    new IngestOptions(0, null, false, false, 4, concurrency));
            usage = openai.usage();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // The first request learns the made-up model's dimension; it carries no passage.
        long passages = api.embeddingRequests().stream().mapToLong(r -> r.get("input").size()).sum() - 1;
        long requests = api.embeddingRequests().size() - 1;
        System.out.printf("%-40s %4d posts added, %5d passages, %4d requests (+1 dimension probe), "
                        + "%5.1f requests per 1,000 passages, max %d in flight, wall %6.2f s%n",
                label, report.count(PostStatus.ADDED), passages, requests, 1000.0 * requests / passages,
                api.maxInFlight(), seconds);
        if (usage.requests() != requests + 1 || report.count(PostStatus.FAILED) > 0) {
            throw new IllegalStateException("unexpected run: " + usage + ", " + report.count(PostStatus.FAILED) + " failed");
        }
    }

    /** The behaviour before batching: each post's passages in a call of their own. */
    private record OnePostPerCall(Embedder inner) implements Embedder {
        @Override
        public List<float[]> embed(List<String> texts) {
            return inner.embed(texts);
        }

        @Override
        public int batchInputs() {
            return 1;
        }

        @Override
        public int dimension() {
            return inner.dimension();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public String modelId() {
            return inner.modelId();
        }

        @Override
        public int maxInputTokens() {
            return inner.maxInputTokens();
        }

        @Override
        public int countTokens(String text) {
            return inner.countTokens(text);
        }
    }
}

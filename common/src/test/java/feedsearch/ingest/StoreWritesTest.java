package feedsearch.ingest;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.embed.Embedder;
import feedsearch.extract.ArticleExtractor;
import feedsearch.feed.FeedReader;
import feedsearch.fetch.Fetcher;
import feedsearch.store.LocalStore;
import feedsearch.store.PostWrite;
import feedsearch.store.VectorStore;
import feedsearch.testing.GeneratedFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embedded posts go to the store a few batches at a time (each write is a commit, and a segment in a local store). */
class StoreWritesTest {
    /** About two passages each. */
    private static final int POSTS = 400;
    /** Enough for several full writes. */
    private static final int MANY_POSTS = 1200;

    @TempDir
    Path dir;

    @Test
    void postsGatherUntilEnoughPassagesThenGoInOneWrite() {
        List<List<PostWrite>> writes = new ArrayList<>();
        WordEmbedder embedder = new WordEmbedder();
        IngestReport report = ingest(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), embedder, writes,
                IngestOptions.DEFAULTS, MANY_POSTS);

        assertEquals(MANY_POSTS, report.count(PostStatus.ADDED));
        assertEveryPostWrittenOnce(writes, MANY_POSTS);
        for (List<PostWrite> write : writes.subList(0, writes.size() - 1)) {
            assertTrue(passages(write) >= Ingester.WRITE_PASSAGES, "a write before the last holds " + passages(write));
        }
        assertTrue(writes.size() >= 2 && writes.size() < embedder.calls.get(),
                writes.size() + " writes for " + embedder.calls.get() + " embedding calls");
    }

    @Test
    void postsThatWaitedTheIntervalAreWrittenWithoutMore() {
        List<List<PostWrite>> writes = new ArrayList<>();
        // Each reading of this clock is a write interval after the last: whatever is pending is due.
        Clock slow = new Clock() {
            private Instant now = Instant.parse("2026-01-01T00:00:00Z");

            @Override
            public synchronized Instant instant() {
                now = now.plusMillis(Ingester.WRITE_INTERVAL_MILLIS);
                return now;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        IngestReport report = ingest(slow, new WordEmbedder(), writes);

        assertEquals(POSTS, report.count(PostStatus.ADDED));
        assertEveryPostWrittenOnce(writes, POSTS);
        assertTrue(writes.size() >= 2, writes.size() + " writes");
        assertTrue(passages(writes.get(0)) < Ingester.WRITE_PASSAGES, "the first write holds " + passages(writes.get(0)));
    }

    /** A failure that stops the run loses nothing embedded before it: those posts are stored (they may have been paid for). */
    @Test
    void postsEmbeddedBeforeAFailureThatStopsTheRunAreStored() {
        List<List<PostWrite>> writes = new ArrayList<>();
        WordEmbedder embedder = new WordEmbedder();
        embedder.stopOnCall = 6;
        // One call in flight, so the five calls before the failing one have all come back when it fails.
        IngestOptions oneInFlight = new IngestOptions(0, null, false, false, 4, 1);
        FeedsearchException stop = assertThrows(FeedsearchException.class, () -> ingest(
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), embedder, writes, oneInFlight, POSTS));

        assertEquals("embedding API refused the key", stop.getMessage());
        assertEquals(5 * embedder.batchInputs(), embedder.embeddedTexts.get(), "five full calls came back");
        assertEquals(embedder.embeddedTexts.get(), writes.stream().mapToInt(StoreWritesTest::passages).sum(),
                "every passage embedded was written");
        try (LocalStore store = LocalStore.openForReading(dir.resolve("store"))) {
            assertEquals(embedder.embeddedTexts.get(), store.status().passages());
        }
    }

    private IngestReport ingest(Clock clock, Embedder embedder, List<List<PostWrite>> writes) {
        return ingest(clock, embedder, writes, IngestOptions.DEFAULTS, POSTS);
    }

    private IngestReport ingest(Clock clock, Embedder embedder, List<List<PostWrite>> writes, IngestOptions options, int posts) {
        Path feed = GeneratedFeed.write(dir.resolve("feed.xml"), posts, 250);
        Fetcher fetcher = new Fetcher(Duration.ofSeconds(5), 10L << 20, "feedsearch-test", false);
        try (LocalStore local = LocalStore.openForWriting(dir.resolve("store"))) {
            VectorStore recording = (VectorStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {VectorStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("replacePosts")) {
                            @SuppressWarnings("unchecked")
                            List<PostWrite> write = (List<PostWrite>) args[0];
                            writes.add(List.copyOf(write));
                        }
                        try {
                            return method.invoke(local, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            return new Ingester(recording, embedder, new FeedReader(fetcher), new ArticleExtractor(fetcher, null),
                    IngestListener.NONE, clock)
                    .run(List.of(FeedRequest.of(FeedReader.locate(feed.toString()), "generated")), options);
        }
    }

    private static int passages(List<PostWrite> write) {
        return write.stream().mapToInt(w -> w.passages().size()).sum();
    }

    private static void assertEveryPostWrittenOnce(List<List<PostWrite>> writes, int posts) {
        Set<String> ids = new HashSet<>();
        writes.forEach(write -> write.forEach(w -> assertTrue(ids.add(w.post().postId()), "written twice: " + w.post().url())));
        assertEquals(posts, ids.size());
    }

    /**
     * Fast stand-in for a remote API (calls go out full): a word is a token, a text's vector its
     * letters' counts. The writes are under test, not the vectors.
     */
    private static final class WordEmbedder implements Embedder {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger embeddedTexts = new AtomicInteger();
        /** The call that fails as a refused API key does, stopping the run; 0 for none. */
        int stopOnCall;

        @Override
        public List<float[]> embed(List<String> texts) {
            if (calls.incrementAndGet() == stopOnCall) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "embedding API refused the key");
            }
            embeddedTexts.addAndGet(texts.size());
            List<float[]> vectors = new ArrayList<>(texts.size());
            for (String text : texts) {
                float[] v = new float[26];
                v[0] = 1; // never all zero
                text.chars().filter(c -> c >= 'a' && c <= 'z').forEach(c -> v[c - 'a']++);
                vectors.add(v);
            }
            return vectors;
        }

        @Override
        public boolean embedsInParallel() {
            return true;
        }

        @Override
        public int dimension() {
            return 26;
        }

        @Override
        public String name() {
            return "letters";
        }

        @Override
        public String modelId() {
            return "letters";
        }

        @Override
        public int maxInputTokens() {
            return 256;
        }

        @Override
        public int countTokens(String text) {
            return text.isBlank() ? 0 : text.strip().split("\\s+").length;
        }
    }
}

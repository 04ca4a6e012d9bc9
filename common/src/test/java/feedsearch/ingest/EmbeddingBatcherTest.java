package feedsearch.ingest;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.embed.Embedder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddingBatcherTest {

    /**
     * Vectors that name their text; up to {@code batch} texts a call; fails calls with a chosen
     * text. Stands for a remote API unless made {@code inProcess}.
     */
    private static final class Recording implements Embedder {
        final int batch;
        final long tokens;
        volatile boolean inProcess;
        final List<List<String>> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        volatile String failOn;
        volatile RuntimeException failure = new IllegalStateException("HTTP 500 (gave up after 5 tries)");
        volatile long delayMillis;
        /** When set, calls wait for it before they answer. */
        volatile CountDownLatch gate;

        Recording(int batch, long tokens) {
            this.batch = batch;
            this.tokens = tokens;
        }

        @Override
        public List<float[]> embed(List<String> texts) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                calls.add(List.copyOf(texts));
                if (gate != null) {
                    gate.await();
                }
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                if (failOn != null && texts.contains(failOn)) {
                    throw failure;
                }
                List<float[]> vectors = new ArrayList<>();
                for (String t : texts) {
                    vectors.add(new float[]{Float.parseFloat(t.substring(t.indexOf(':') + 1))});
                }
                return vectors;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public boolean embedsInParallel() {
            return !inProcess;
        }

        @Override
        public int batchInputs() {
            return batch;
        }

        @Override
        public long batchTokens() {
            return tokens;
        }

        @Override
        public int dimension() {
            return 1;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public String modelId() {
            return "recording";
        }

        @Override
        public int maxInputTokens() {
            return 100;
        }

        @Override
        public int countTokens(String text) {
            return 10;
        }
    }

    /** Post {@code p}'s {@code n} texts: "p:p.i". */
    private static List<String> texts(int p, int n) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            texts.add(p + ":" + p + "." + i);
        }
        return texts;
    }

    private static List<EmbeddingBatcher.Embedded<Integer>> run(Recording embedder, int inFlight, int... passages) {
        List<EmbeddingBatcher.Embedded<Integer>> done = new ArrayList<>();
        try (EmbeddingBatcher<Integer> batcher = new EmbeddingBatcher<>(embedder, inFlight)) {
            for (int p = 0; p < passages.length; p++) {
                done.addAll(batcher.add(p, texts(p, passages[p])));
            }
            done.addAll(batcher.finish());
        }
        return done;
    }

    /** Posts that waited the patience for batch-mates go out in a part batch, and only then. */
    @Test
    void gatheredPostsGoOutOnceTheyWaitedLongEnough() throws Exception {
        Recording embedder = new Recording(10, Long.MAX_VALUE);
        AtomicLong now = new AtomicLong();
        Clock clock = new Clock() {
            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        try (EmbeddingBatcher<Integer> batcher = new EmbeddingBatcher<>(embedder, 1, clock)) {
            batcher.add(0, texts(0, 2));
            now.addAndGet(999);
            batcher.add(1, texts(1, 3));
            assertEquals(List.of(), batcher.sendIfWaited(1000), "not yet");
            assertEquals(0, embedder.calls.size());

            now.addAndGet(1);
            List<EmbeddingBatcher.Embedded<Integer>> done = new ArrayList<>(batcher.sendIfWaited(1000));
            done.addAll(batcher.add(2, texts(2, 1)));
            done.addAll(batcher.finish());
            // Sent at once, the first two made a call of their own; had they waited, all three would share one.
            assertEquals(List.of(5, 1), embedder.calls.stream().map(List::size).toList());
            assertEquals(List.of(0, 1, 2), done.stream().map(EmbeddingBatcher.Embedded::post).sorted().toList());
        }
    }

    /**
     * An in-process model gains nothing from waiting for batch-mates: what is gathered goes out
     * whenever no call is under way, from add or from the check made while pages are awaited,
     * and posts gather only while a call is.
     */
    @Test
    void anIdleInProcessModelGetsWhatIsGatheredAtOnce() throws Exception {
        Recording embedder = new Recording(10, Long.MAX_VALUE);
        embedder.inProcess = true;
        CountDownLatch firstCallMayAnswer = new CountDownLatch(1);
        embedder.gate = firstCallMayAnswer;
        List<EmbeddingBatcher.Embedded<Integer>> done = new ArrayList<>();
        try (EmbeddingBatcher<Integer> batcher = new EmbeddingBatcher<>(embedder, 1)) {
            done.addAll(batcher.add(0, texts(0, 2)));
            done.addAll(batcher.add(1, texts(1, 3)));
            done.addAll(batcher.add(2, texts(2, 4)));
            firstCallMayAnswer.countDown();
            // The patience never runs out here: only an idle model makes posts 1 and 2 go.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (embedder.calls.size() < 2 && System.nanoTime() < deadline) {
                done.addAll(batcher.sendIfWaited(Long.MAX_VALUE));
                Thread.sleep(5);
            }
            assertEquals(2, embedder.calls.size(), "posts 1 and 2 went out before the end");
            done.addAll(batcher.finish());
        }
        assertEquals(List.of(List.of(0), List.of(1, 2)), embedder.calls.stream()
                .map(call -> call.stream().map(t -> Integer.parseInt(t.substring(0, t.indexOf(':')))).distinct().toList())
                .toList());
        assertEquals(List.of(0, 1, 2), done.stream().map(EmbeddingBatcher.Embedded::post).sorted().toList());
    }

    @Test
    void postsShareCallsWholeAndGetTheirOwnVectorsBack() {
        Recording embedder = new Recording(10, Long.MAX_VALUE);

        List<EmbeddingBatcher.Embedded<Integer>> done = run(embedder, 2, 3, 4, 3, 2, 12, 1);

        // 3+4+3 fill one call; 2 goes alone as 12 cannot join it; 12 is full by itself; 1 is left for the end.
        assertEquals(List.of(1, 2, 10, 12), embedder.calls.stream().map(List::size).sorted().toList()); // two at a time: any order
        assertEquals(6, done.size());
        for (EmbeddingBatcher.Embedded<Integer> e : done) {
            assertNull(e.failure());
            List<String> expected = texts(e.post(), e.vectors().size());
            for (int i = 0; i < e.vectors().size(); i++) {
                assertEquals(Float.parseFloat(expected.get(i).substring(expected.get(i).indexOf(':') + 1)), e.vectors().get(i)[0]);
            }
        }
        assertEquals(List.of(3, 4, 3, 2, 12, 1), done.stream().sorted((a, b) -> a.post() - b.post())
                .map(e -> e.vectors().size()).toList());
    }

    @Test
    void theTokenCapClosesABatchToo() {
        Recording embedder = new Recording(100, 50); // 10 tokens a text: at most 5 texts a call

        run(embedder, 1, 2, 2, 2, 2);

        assertEquals(List.of(4, 4), embedder.calls.stream().map(List::size).toList());
    }

    @Test
    void aFailedCallFailsExactlyItsPosts() {
        Recording embedder = new Recording(6, Long.MAX_VALUE);
        embedder.failOn = "3:3.1";

        List<EmbeddingBatcher.Embedded<Integer>> done = run(embedder, 2, 3, 3, 2, 2, 2, 3, 3);

        // Calls: posts [0,1] [2,3,4] [5,6]; the second fails.
        List<Integer> failed = done.stream().filter(e -> e.failure() != null).map(EmbeddingBatcher.Embedded::post).sorted().toList();
        assertEquals(List.of(2, 3, 4), failed);
        done.stream().filter(e -> e.failure() != null).forEach(e -> assertSame(embedder.failure, e.failure()));
        assertEquals(7, done.size());
    }

    @Test
    void aRefusedKeyStopsEverything() {
        Recording embedder = new Recording(4, Long.MAX_VALUE);
        embedder.failOn = "1:1.0";
        embedder.failure = new FeedsearchException(ExitCode.UNREACHABLE, "the API refused the key (HTTP 401)");

        FeedsearchException e = assertThrows(FeedsearchException.class, () -> run(embedder, 2, 4, 4, 4, 4));
        assertSame(embedder.failure, e);
    }

    @Test
    void neverMoreCallsInFlightThanAllowed() {
        Recording embedder = new Recording(2, Long.MAX_VALUE);
        embedder.delayMillis = 50;

        List<EmbeddingBatcher.Embedded<Integer>> done = run(embedder, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2);

        assertEquals(10, done.size());
        assertEquals(10, embedder.calls.size());
        assertTrue(embedder.maxInFlight.get() <= 3, "in flight: " + embedder.maxInFlight.get());
        assertEquals(3, embedder.maxInFlight.get(), "calls should overlap");
    }
}

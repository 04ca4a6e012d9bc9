package feedsearch.ingest;

import feedsearch.FeedsearchException;
import feedsearch.TaskFailure;
import feedsearch.embed.Embedder;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Gathers the texts of many posts into batches of up to {@link Embedder#batchInputs()} texts
 * and {@link Embedder#batchTokens()} tokens, embeds each batch with one {@code embed} call on a
 * background thread, at most {@code maxInFlight} at a time, and hands back each post with its own
 * vectors, or with the failure of the batch it was in. A post is never split between batches, so
 * all its vectors come from one outcome. Memory is bounded: one batch gathering plus at most
 * {@code maxInFlight} in flight. For an in-process model, which runs each text of a call on its
 * own (spread over the cores) and so gains nothing from a full batch, gathered
 * posts also go out whenever no call is under way: the model never waits for batch-mates. Not
 * thread-safe: one thread adds and collects.
 *
 * @param <P> what the caller needs to write a post once its vectors are in
 */
final class EmbeddingBatcher<P> implements AutoCloseable {

    /** A post and its vectors (one per text, in order), or why its batch failed. */
    record Embedded<P>(P post, List<float[]> vectors, RuntimeException failure) {
    }

    private record Item<P>(P post, List<String> texts) {
    }

    private record Batch<P>(List<Item<P>> items, Future<List<float[]>> vectors) {
    }

    private final Embedder embedder;
    private final int maxInFlight;
    private final int maxInputs;
    private final long maxTokens;
    private final boolean sendWhenIdle;
    private final ExecutorService workers;
    private final Deque<Batch<P>> inFlight = new ArrayDeque<>();
    /** Posts whose vectors came back and are not yet handed out: kept here so a failure that stops the run does not lose them. */
    private final List<Embedded<P>> done = new ArrayList<>();
    private List<Item<P>> gathering = new ArrayList<>();
    private final Clock clock;
    private long gatheringSince;
    private int gatheredInputs;
    private long gatheredTokens;

    EmbeddingBatcher(Embedder embedder, int maxInFlight) {
        this(embedder, maxInFlight, Clock.systemUTC());
    }

    /** @param clock tells how long gathered posts have waited for batch-mates */
    EmbeddingBatcher(Embedder embedder, int maxInFlight, Clock clock) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("at least one batch must be allowed in flight");
        }
        this.embedder = embedder;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.maxInputs = Math.max(1, embedder.batchInputs());
        this.maxTokens = embedder.batchTokens();
        this.sendWhenIdle = !embedder.embedsInParallel();
        this.workers = Executors.newFixedThreadPool(maxInFlight, runnable -> {
            Thread t = new Thread(runnable, "feedsearch-embed");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues one post's texts. Returns the posts of batches that have finished meanwhile; waits
     * only when a batch is full and {@code maxInFlight} are already out.
     *
     * @throws FeedsearchException when a batch failed in a way that stops the run (a refused key)
     */
    List<Embedded<P>> add(P post, List<String> texts) {
        long tokens = maxTokens == Long.MAX_VALUE ? 0 : texts.stream().mapToLong(embedder::countTokens).sum();
        if (!gathering.isEmpty() && (gatheredInputs + texts.size() > maxInputs || gatheredTokens + tokens > maxTokens)) {
            send();
        }
        if (gathering.isEmpty()) {
            gatheringSince = clock.millis();
        }
        gathering.add(new Item<>(post, List.copyOf(texts)));
        gatheredInputs += texts.size();
        gatheredTokens += tokens;
        collectFinished();
        if (gatheredInputs >= maxInputs || gatheredTokens >= maxTokens || modelIdle()) {
            send();
        }
        return takeDone();
    }

    /**
     * Sends what is gathered when it has waited this long for batch-mates (pages that come
     * steadily but slowly would otherwise hold the first posts until a batch fills), or at once
     * to an idle in-process model, and returns the posts of batches that have finished meanwhile.
     */
    List<Embedded<P>> sendIfWaited(long millis) {
        collectFinished();
        if (!gathering.isEmpty() && (modelIdle() || clock.millis() - gatheringSince >= millis)) {
            send();
        }
        return takeDone();
    }

    /** An in-process model with no call under way: what is gathered goes now (collect finished calls first). */
    private boolean modelIdle() {
        return sendWhenIdle && inFlight.isEmpty();
    }

    private void collectFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().vectors().isDone()) {
            done.addAll(await(inFlight.removeFirst()));
        }
    }

    /** Sends what is gathered and waits for every batch: all posts added so far come back. */
    List<Embedded<P>> finish() {
        if (!gathering.isEmpty()) {
            send();
        }
        while (!inFlight.isEmpty()) {
            done.addAll(await(inFlight.removeFirst()));
        }
        return takeDone();
    }

    /**
     * The posts whose vectors came back and were not handed out yet. After {@link #add} or
     * {@link #finish} threw, these are the posts embedded before the failure, to store all the same.
     */
    List<Embedded<P>> takeDone() {
        List<Embedded<P>> taken = List.copyOf(done);
        done.clear();
        return taken;
    }

    private void send() {
        while (inFlight.size() >= maxInFlight) {
            done.addAll(await(inFlight.removeFirst()));
        }
        List<Item<P>> items = gathering;
        gathering = new ArrayList<>();
        gatheredInputs = 0;
        gatheredTokens = 0;
        List<String> texts = new ArrayList<>();
        for (Item<P> item : items) {
            texts.addAll(item.texts());
        }
        inFlight.addLast(new Batch<>(items, workers.submit(() -> embedder.embed(texts))));
    }

    private List<Embedded<P>> await(Batch<P> batch) {
        List<Embedded<P>> posts = new ArrayList<>(batch.items().size());
        List<float[]> vectors;
        try {
            vectors = batch.vectors().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof FeedsearchException stop) {
                throw stop;
            }
            RuntimeException failure = TaskFailure.unchecked(cause);
            for (Item<P> item : batch.items()) {
                posts.add(new Embedded<>(item.post(), null, failure));
            }
            return posts;
        }
        int expected = batch.items().stream().mapToInt(i -> i.texts().size()).sum();
        if (vectors.size() != expected) {
            RuntimeException failure = new IllegalStateException("asked for " + expected + " embeddings, got " + vectors.size());
            for (Item<P> item : batch.items()) {
                posts.add(new Embedded<>(item.post(), null, failure));
            }
            return posts;
        }
        int start = 0;
        for (Item<P> item : batch.items()) {
            int end = start + item.texts().size();
            posts.add(new Embedded<>(item.post(), List.copyOf(vectors.subList(start, end)), null));
            start = end;
        }
        return posts;
    }

    /** Stops the embedding threads; batches still out are abandoned (the run is ending anyway). */
    @Override
    public void close() {
        workers.shutdownNow();
    }
}

package feedsearch.testing;

import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The real local model, counting how often it is asked to embed, and to get ready to. */
public final class CountingEmbedder implements Embedder {
    private final Embedder real = new LocalEmbedder();
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger texts = new AtomicInteger();
    private final AtomicInteger warmUps = new AtomicInteger();

    @Override
    public List<float[]> embed(List<String> input) {
        calls.incrementAndGet();
        texts.addAndGet(input.size());
        return real.embed(input);
    }

    @Override
    public void warmUp() {
        warmUps.incrementAndGet();
        real.warmUp();
    }

    /** How often the model was asked to start loading: never, by a run that embeds nothing. */
    public int warmUps() {
        return warmUps.get();
    }

    public int calls() {
        return calls.get();
    }

    public int texts() {
        return texts.get();
    }

    public void reset() {
        calls.set(0);
        texts.set(0);
        warmUps.set(0);
    }

    @Override
    public int dimension() {
        return real.dimension();
    }

    @Override
    public String name() {
        return real.name();
    }

    @Override
    public String modelId() {
        return real.modelId();
    }

    @Override
    public int maxInputTokens() {
        return real.maxInputTokens();
    }

    @Override
    public int countTokens(String text) {
        return real.countTokens(text);
    }
}

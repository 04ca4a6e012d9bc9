package feedsearch.embed;

/** What a run cost a paid embedder: requests sent and tokens billed, as the API reported them. */
public record EmbeddingUsage(long requests, long tokens) {
    public static final EmbeddingUsage NONE = new EmbeddingUsage(0, 0);
}

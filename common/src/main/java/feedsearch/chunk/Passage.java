package feedsearch.chunk;

/** One overlapping piece of a post's text, small enough for the embedding model. */
public record Passage(int index, String text) {
}

package feedsearch.store.redis;

import feedsearch.Sha256;

/**
 * Key names of one index (DESIGN §2). A post's keys carry its id as a hash tag, {@code {id}}, so
 * they share a cluster slot. Only passage keys start with the index's prefix; everything else
 * lives under {@code <index>:} where the query engine's index does not look.
 */
public record RedisKeys(String index, String prefix) {

    /**
     * @param prefix null for the default: {@code post:} for the index {@code posts}, as in the
     *               source blog post, and {@code <index>:passage:} for any other, so that two
     *               indexes never share passage keys
     */
    public static RedisKeys of(String index, String prefix) {
        if (prefix != null) {
            return new RedisKeys(index, prefix);
        }
        return new RedisKeys(index, index.equals("posts") ? "post:" : index + ":passage:");
    }

    public String passage(String postId, int chunk) {
        return prefix + "{" + postId + "}:" + chunk;
    }

    /**
     * The post id in a passage key's hash tag; keys without one (the source post's sample,
     * {@code post:0}) stand for a post of their own.
     */
    public static String postIdOf(String passageKey) {
        int open = passageKey.indexOf('{');
        int close = passageKey.indexOf('}', open + 1);
        return open >= 0 && close > open ? passageKey.substring(open + 1, close) : passageKey;
    }

    public String post(String postId) {
        return index + ":post:{" + postId + "}";
    }

    public String postPattern() {
        return index + ":post:*";
    }

    public String feed(String feedUrl) {
        return index + ":feed:" + Sha256.hex(feedUrl).substring(0, 40);
    }

    public String feedPattern() {
        return index + ":feed:*";
    }

    public String meta() {
        return index + ":meta";
    }

    public String lock() {
        return index + ":lock";
    }

    /** The vector set of a {@link VectorSetStore}. */
    public String vectors() {
        return index + ":vectors";
    }
}

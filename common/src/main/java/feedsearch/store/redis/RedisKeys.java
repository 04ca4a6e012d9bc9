package feedsearch.store.redis;

import feedsearch.Sha256;

import java.util.List;

/**
 * Key names of one index (DESIGN §2). All keys of one post share a cluster slot, so that it is
 * replaced in one MULTI/EXEC on a cluster too: they carry its id as a hash tag, {@code {id}};
 * in a sharded vector-set index, its shard's tag instead, which its shard's vector set carries
 * too ({@code post:{s3.12}:<id>:0}, {@code posts:vectors:{s3.12}}). Only passage keys start with
 * the index's prefix; everything else lives under {@code <index>:} where the query engine's
 * index does not look.
 *
 * @param shards the vector-set shards; null for one vector set and per-post tags (the query
 *               engine, and vector-set indexes made before sharding)
 */
public record RedisKeys(String index, String prefix, ShardTags shards) {

    public RedisKeys(String index, String prefix) {
        this(index, prefix, null);
    }

    public RedisKeys withShards(ShardTags shards) {
        return new RedisKeys(index, prefix, shards);
    }

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
        return prefix + tagged(postId) + ":" + chunk;
    }

    /** {@code {id}}, or {@code {shard}:id} in a sharded index. */
    private String tagged(String postId) {
        return shards == null ? "{" + postId + "}" : "{" + shards.tagOf(postId) + "}:" + postId;
    }

    /**
     * The post id of a passage key: its hash tag ({@code post:{id}:0}), or what follows a shard's
     * tag ({@code post:{s3.12}:id:0}); keys without a tag (the source post's sample,
     * {@code post:0}) stand for a post of their own.
     */
    public static String postIdOf(String passageKey) {
        int open = passageKey.indexOf('{');
        int close = passageKey.indexOf('}', open + 1);
        if (open < 0 || close < open) {
            return passageKey;
        }
        int chunk = passageKey.lastIndexOf(':');
        if (chunk > close + 1 && passageKey.charAt(close + 1) == ':') {
            return passageKey.substring(close + 2, chunk);
        }
        return passageKey.substring(open + 1, close);
    }

    /** The post id of a post record's key: its hash tag ({@code posts:post:{id}}), or what follows a shard's tag. */
    public static String postIdOfRecord(String postKey) {
        int open = postKey.indexOf('{');
        int close = postKey.indexOf('}', open + 1);
        if (open < 0 || close < open) {
            return postKey;
        }
        return close + 1 < postKey.length() && postKey.charAt(close + 1) == ':'
                ? postKey.substring(close + 2) : postKey.substring(open + 1, close);
    }

    public String post(String postId) {
        return index + ":post:" + tagged(postId);
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

    /** Held by whatever rewrites the whole index (drop, reindex); ingest holds feed locks instead. */
    public String indexLock() {
        return index + ":lock";
    }

    /** Held while an ingest writes this feed's posts, so that several ingests may share an index. */
    public String feedLock(String feedName) {
        return index + ":lock:feed:" + Sha256.hex(feedName).substring(0, 40);
    }

    public String feedLockPattern() {
        return index + ":lock:feed:*";
    }

    /** The vector set of a {@link VectorSetStore} that holds this post's passages. */
    public String vectorSet(String postId) {
        return shards == null ? index + ":vectors" : vectorSetOfShard(shards.tagOf(postId));
    }

    /** All vector sets of a {@link VectorSetStore}. */
    public List<String> vectorSets() {
        return shards == null ? List.of(index + ":vectors") : shards.tags().stream().map(this::vectorSetOfShard).toList();
    }

    private String vectorSetOfShard(String tag) {
        return index + ":vectors:{" + tag + "}";
    }
}

package feedsearch.testing;

import redis.clients.jedis.UnifiedJedis;

import java.util.HashMap;
import java.util.Map;

/**
 * What a vector-set index on one Redis server holds, read key by key, for tests that check that
 * nothing is half-written: each post record beside its passage hashes, and the vector sets' size.
 * Reads both layouts: per-post tags ({@code posts:post:{id}}) and shards ({@code posts:post:{s3.1}:id}).
 *
 * @param posts          by post id
 * @param passageHashes  keys under the passage prefix
 * @param vectorElements elements of all the index's vector sets
 */
public record RedisIndexContents(Map<String, PostShape> posts, long passageHashes, long vectorElements) {

    /** @param passages the passage hashes found for the post */
    public record PostShape(String contentHash, int chunks, int passages) {
    }

    public static RedisIndexContents read(UnifiedJedis client, String index, String passagePrefix) {
        Map<String, PostShape> posts = new HashMap<>();
        String postPrefix = index + ":post:";
        for (String key : client.keys(postPrefix + "*")) {
            String tagged = key.substring(postPrefix.length());
            int close = tagged.indexOf('}');
            String id = close + 1 < tagged.length() ? tagged.substring(close + 2) : tagged.substring(1, close);
            Map<String, String> record = client.hgetAll(key);
            posts.put(id, new PostShape(record.get("content_hash"), Integer.parseInt(record.get("chunks")),
                    client.keys(passagePrefix + tagged + ":*").size()));
        }
        long elements = 0;
        for (String set : client.keys(index + ":vectors*")) {
            elements += client.vcard(set);
        }
        return new RedisIndexContents(posts, client.keys(passagePrefix + "*").size(), elements);
    }

    public long chunks() {
        return posts.values().stream().mapToLong(PostShape::chunks).sum();
    }
}

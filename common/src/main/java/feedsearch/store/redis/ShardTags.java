package feedsearch.store.redis;

import redis.clients.jedis.util.JedisClusterCRC16;

import java.util.ArrayList;
import java.util.List;

/**
 * The hash tags of a sharded vector-set index: shard {@code i} of {@code count} gets the first tag
 * {@code s<i>.<n>} whose cluster slot lies in the {@code i}-th equal part of the 16,384 slots.
 * A cluster made by {@code redis-cli --cluster create} gives each master one contiguous part of
 * the slots, so the shards spread over the masters as evenly as their number allows, where
 * tags picked at random would pile several shards onto one master.
 */
public record ShardTags(List<String> tags) {
    public static final int MAX_SHARDS = 1024;
    private static final int SLOTS = 16_384;

    public static ShardTags of(int count) {
        if (count < 1 || count > MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be between 1 and " + MAX_SHARDS + ": " + count);
        }
        List<String> tags = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = (int) ((long) i * SLOTS / count);
            int to = (int) ((long) (i + 1) * SLOTS / count);
            for (int n = 0; ; n++) {
                String tag = "s" + i + "." + n;
                int slot = JedisClusterCRC16.getSlot(tag);
                if (slot >= from && slot < to) {
                    tags.add(tag);
                    break;
                }
            }
        }
        return new ShardTags(List.copyOf(tags));
    }

    public int count() {
        return tags.size();
    }

    /** The tag of the shard that holds {@code postId}: {@link String#hashCode} is fixed by the language, so every process agrees. */
    public String tagOf(String postId) {
        return tags.get(Math.floorMod(postId.hashCode(), tags.size()));
    }
}

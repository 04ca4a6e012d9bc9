package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.util.JedisClusterCRC16;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisKeysTest {
    @Test
    void keysFollowTheDesignAndShareAHashTagPerPost() {
        RedisKeys keys = RedisKeys.of("posts", null);
        assertEquals("post:{0123456789abcdef}:3", keys.passage("0123456789abcdef", 3));
        assertEquals("posts:post:{0123456789abcdef}", keys.post("0123456789abcdef"));
        assertEquals("posts:meta", keys.meta());
        assertEquals("posts:lock", keys.indexLock());
        assertTrue(keys.feedLock("https://x.example/feed").startsWith("posts:lock:feed:"));
        assertEquals("posts:feed:", keys.feed("https://x.example/feed").substring(0, "posts:feed:".length()));
    }

    @Test
    void aPassageKeyNamesItsPost() {
        assertEquals("0123456789abcdef", RedisKeys.postIdOf(RedisKeys.of("posts", null).passage("0123456789abcdef", 7)));
        assertEquals("post:12", RedisKeys.postIdOf("post:12"));
    }

    @Test
    void aShardedPostSharesItsShardsSlotWithItsVectorSet() {
        RedisKeys keys = RedisKeys.of("posts", null).withShards(ShardTags.of(16));
        String id = "0123456789abcdef";
        String tag = keys.shards().tagOf(id);
        assertEquals("post:{" + tag + "}:" + id + ":3", keys.passage(id, 3));
        assertEquals("posts:post:{" + tag + "}:" + id, keys.post(id));
        assertEquals("posts:vectors:{" + tag + "}", keys.vectorSet(id));
        int slot = JedisClusterCRC16.getSlot(keys.vectorSet(id));
        assertEquals(slot, JedisClusterCRC16.getSlot(keys.passage(id, 0)));
        assertEquals(slot, JedisClusterCRC16.getSlot(keys.post(id)));
        assertEquals(id, RedisKeys.postIdOf(keys.passage(id, 12)));
        assertEquals(16, keys.vectorSets().size());
        assertTrue(keys.vectorSets().contains(keys.vectorSet(id)));
        assertTrue(keys.post(id).startsWith("posts:post:"), "status and drop find it by the post pattern");
    }

    @Test
    void shardsSpreadEvenlyOverTheSlotRanges() {
        ShardTags tags = ShardTags.of(16);
        for (int i = 0; i < 16; i++) {
            int slot = JedisClusterCRC16.getSlot(tags.tags().get(i));
            assertTrue(slot >= i * 1024 && slot < (i + 1) * 1024, tags.tags().get(i) + " -> " + slot);
        }
        assertEquals(ShardTags.of(16), ShardTags.of(16), "every process derives the same tags");
        int[] posts = new int[16];
        for (int i = 0; i < 16_000; i++) {
            posts[tags.tags().indexOf(tags.tagOf(Integer.toHexString(i * 7919)))]++;
        }
        for (int count : posts) {
            assertTrue(count > 800 && count < 1200, "posts spread over the shards: " + java.util.Arrays.toString(posts));
        }
    }

    @Test
    void aMetaRecordsShardCountIsCheckedBeforeItLaysOutKeys() {
        assertEquals(null, VectorSetStore.recordedShards(null), "an index made before sharding: one set");
        assertEquals(16, VectorSetStore.recordedShards("16").count());
        for (String damaged : new String[]{"abc", "0", "-3", "1025", "99999999999", ""}) {
            FeedsearchException e = assertThrows(FeedsearchException.class, () -> VectorSetStore.recordedShards(damaged), damaged);
            assertEquals(ExitCode.INCOMPATIBLE_INDEX, e.exitCode());
            assertTrue(e.getMessage().contains("not a number from 1 to 1024"), e.getMessage());
        }
    }

    @Test
    void otherIndexesGetTheirOwnPassagePrefixUnlessOneIsGiven() {
        assertEquals("blog:passage:{id}:0", RedisKeys.of("blog", null).passage("id", 0));
        assertEquals("p:{id}:0", RedisKeys.of("blog", "p:").passage("id", 0));
    }
}

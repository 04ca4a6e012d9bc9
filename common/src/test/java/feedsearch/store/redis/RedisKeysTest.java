package feedsearch.store.redis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedisKeysTest {
    @Test
    void keysFollowTheDesignAndShareAHashTagPerPost() {
        RedisKeys keys = RedisKeys.of("posts", null);
        assertEquals("post:{0123456789abcdef}:3", keys.passage("0123456789abcdef", 3));
        assertEquals("posts:post:{0123456789abcdef}", keys.post("0123456789abcdef"));
        assertEquals("posts:meta", keys.meta());
        assertEquals("posts:lock", keys.lock());
        assertEquals("posts:feed:", keys.feed("https://x.example/feed").substring(0, "posts:feed:".length()));
    }

    @Test
    void aPassageKeyNamesItsPost() {
        assertEquals("0123456789abcdef", RedisKeys.postIdOf(RedisKeys.of("posts", null).passage("0123456789abcdef", 7)));
        assertEquals("post:12", RedisKeys.postIdOf("post:12"));
    }

    @Test
    void otherIndexesGetTheirOwnPassagePrefixUnlessOneIsGiven() {
        assertEquals("blog:passage:{id}:0", RedisKeys.of("blog", null).passage("id", 0));
        assertEquals("p:{id}:0", RedisKeys.of("blog", "p:").passage("id", 0));
    }
}

package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.redis.RedisConnector.RedisEngine;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisConnectorTest {
    private static final RedisEndpoint HERE = new RedisEndpoint("db.example", 6380, null, "s3cret", false, 0);

    @Test
    void theQueryEngineWinsThenVectorSetsFromRedis8() {
        assertEquals(RedisEngine.SEARCH, RedisConnector.engineFor(true, "7.4.2", HERE));
        assertEquals(RedisEngine.VECTORSET, RedisConnector.engineFor(false, "8.0.2", HERE));
        assertEquals(RedisEngine.VECTORSET, RedisConnector.engineFor(false, "10.1.0", HERE));
    }

    @Test
    void anOlderRedisIsRefusedNamingBothWaysOut() {
        FeedsearchException e = assertThrows(FeedsearchException.class, () -> RedisConnector.engineFor(false, "7.0.15", HERE));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().startsWith("Redis at redis://db.example:6380 is version 7.0.15"), e.getMessage());
        assertTrue(e.getMessage().contains("use Redis 8 or later") && e.getMessage().contains("Redis Stack"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void endpointsNeverShowThePassword() {
        RedisEndpoint fromUrl = RedisEndpoint.fromUrl("rediss://app:pa%3Ass@cache.example:6390/2", Map.of());
        assertEquals("pa:ss", fromUrl.password());
        assertEquals("app", fromUrl.user());
        assertTrue(fromUrl.tls());
        assertEquals(2, fromUrl.database());
        assertEquals("rediss://app@cache.example:6390/2", fromUrl.toString());

        RedisEndpoint legacy = RedisEndpoint.fromEnvironment(Map.of("REDIS_HOST", "h", "REDIS_PORT", "7000", "REDIS_PASSWORD", "pw"));
        assertEquals("redis://h:7000", legacy.toString());
        assertEquals("pw", legacy.password());

        FeedsearchException bad = assertThrows(FeedsearchException.class,
                () -> RedisEndpoint.fromUrl("http://user:topsecret@host", Map.of()));
        assertEquals(ExitCode.USAGE, bad.exitCode());
        assertFalse(bad.getMessage().contains("topsecret"));
    }
}

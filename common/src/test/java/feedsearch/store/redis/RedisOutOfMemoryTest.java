package feedsearch.store.redis;

import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every way Redis's OOM refusal reaches us, transactions included, is recognised; other errors are not. */
class RedisOutOfMemoryTest {
    private static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";

    @Test
    void aCommandRefusedOutright() {
        assertEquals(Optional.of(OOM), RedisStore.outOfMemory(new JedisDataException(OOM)));
    }

    @Test
    void aQueuedCommandRefusedThenExecAborted() {
        JedisDataException exec = new JedisDataException("EXECABORT Transaction discarded because of previous errors.");
        exec.addSuppressed(new JedisDataException(OOM));
        assertEquals(Optional.of(OOM), RedisStore.outOfMemory(exec));
    }

    @Test
    void execItselfRefused() {
        JedisDataException exec = new JedisDataException("EXECABORT Transaction discarded because of: " + OOM);
        assertEquals(Optional.of(OOM), RedisStore.outOfMemory(exec));
    }

    @Test
    void otherErrorsAreNotTakenForIt() {
        JedisDataException exec = new JedisDataException("EXECABORT Transaction discarded because of previous errors.");
        exec.addSuppressed(new JedisDataException("ERR wrong number of arguments for 'hset' command"));
        assertEquals(Optional.empty(), RedisStore.outOfMemory(exec));
        assertEquals(Optional.empty(), RedisStore.outOfMemory(new JedisDataException("WRONGTYPE Operation against a key holding the wrong kind of value")));
    }
}

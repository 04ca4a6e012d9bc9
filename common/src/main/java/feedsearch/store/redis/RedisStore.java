package feedsearch.store.redis;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.store.FeedState;
import feedsearch.store.IndexMeta;
import feedsearch.store.PostRecord;
import feedsearch.store.StoreAccess;
import feedsearch.store.StoreStatus;
import feedsearch.store.StoredPassage;
import feedsearch.store.VectorStore;
import feedsearch.store.WriteLock;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.AbstractTransaction;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What both Redis engines share: post, passage, feed and meta records in hashes (DESIGN §2), the
 * locks, and replacing a post in one MULTI/EXEC. Subclasses add the vector index: the query
 * engine's ({@link RediSearchStore}) or vector sets ({@link VectorSetStore}). Every command is
 * cluster-safe: a transaction touches one post's keys, which share a slot, and nothing else
 * names two keys at once.
 */
public abstract class RedisStore implements VectorStore {
    private static final Pattern OUT_OF_MEMORY = Pattern.compile("(?:EXECABORT .*because of: -?)?(OOM .*)", Pattern.DOTALL);

    /** Lua, so that two processes creating the index at once leave one meta record: the first one's. */
    private static final String CREATE_META = "if redis.call('exists', KEYS[1]) == 1 then return 0 end "
            + "redis.call('hset', KEYS[1], unpack(ARGV)) return 1";
    private static final String MARK_META = "if redis.call('exists', KEYS[1]) == 0 then return 0 end "
            + "return redis.call('hset', KEYS[1], ARGV[1], ARGV[2])";
    private static final int MAX_WATCH_ATTEMPTS = 20;
    /** The meta record's field naming the passages' prefix: drop and every later run use that one. */
    static final String PREFIX_FIELD = "prefix";
    /** More passages than a page within the size limit makes: a damaged record's count is not trusted past it. */
    private static final int MAX_CHUNKS_TO_DROP = 100_000;

    protected final RedisConnection connection;
    protected final UnifiedJedis redis;
    protected final RedisEndpoint endpoint;
    /** Final but for a new vector-set index, whose shards are known once {@link #prepare} has read the meta record. */
    protected volatile RedisKeys keys;
    private final RedisLock indexLock;

    protected RedisStore(RedisConnection connection, RedisEndpoint endpoint, RedisKeys keys, StoreAccess access) {
        this.connection = connection;
        this.redis = connection == null ? null : connection.commands();
        this.endpoint = endpoint;
        this.keys = keys;
        this.indexLock = access == StoreAccess.EXCLUSIVE ? call(this::lockIndex) : null;
    }

    /** The index lock, once no ingest holds a feed lock: drop and reindex rewrite what ingests write. */
    private RedisLock lockIndex() {
        RedisLock lock = RedisLock.acquire(redis, List.of(keys.indexLock()), i -> describe());
        try {
            List<String> feedLocks = connection.scan(keys.feedLockPattern());
            if (!feedLocks.isEmpty()) {
                throw RedisLock.locked(redis, feedLocks.get(0), describe());
            }
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Feed locks, then a look at the index lock: whichever of an ingest and a drop sets its lock
     * second sees the other's and backs off.
     */
    @Override
    public WriteLock lockFeeds(List<String> feedNames) {
        List<String> feeds = feedNames.stream().distinct().toList();
        List<String> lockKeys = feeds.stream().map(keys::feedLock).toList();
        return call(() -> {
            RedisLock lock = RedisLock.acquire(redis, lockKeys, i -> "feed " + feeds.get(i) + " in " + describe());
            try {
                if (redis.exists(keys.indexLock())) {
                    throw RedisLock.locked(redis, keys.indexLock(), describe());
                }
                return lock;
            } catch (RuntimeException e) {
                lock.close();
                throw e;
            }
        });
    }

    /** {@code search} or {@code vectorset}, as recorded in the index's meta. */
    public abstract String engine();

    /** Creates the engine's index for new vectors; returns how it was built. */
    protected abstract IndexMeta createIndex(String embedder, String model, int dimension);

    /** Queues in {@code tx} whatever, beyond the passage hash, makes the passage searchable. */
    protected abstract void indexPassage(AbstractTransaction tx, String passageKey, PostRecord post, StoredPassage passage);

    /** Queues in {@code tx} the removal of one of a post's passages from the engine's index. */
    protected abstract void unindexPassage(AbstractTransaction tx, String passageKey, String postId);

    protected abstract long passageCount();

    /** Drops the engine's index structures; the hashes go afterwards. */
    protected abstract void dropIndex();

    @Override
    public String describe() {
        return engine() + " index '" + keys.index() + "'" + (keys.shards() == null ? "" : " (" + keys.shards().count() + " shards)")
                + " on " + (connection == null ? endpoint : connection.describe(endpoint));
    }

    @Override
    public Optional<IndexMeta> meta() {
        return recordedMeta();
    }

    /** The meta record itself; {@link #meta()} may also describe an index built without one. */
    protected final Optional<IndexMeta> recordedMeta() {
        Map<String, String> m = call(() -> redis.hgetAll(keys.meta()));
        if (m.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new IndexMeta(m.get("engine"), m.get("embedder"), m.get("model"), Integer.parseInt(m.get("dim")),
                m.get("metric"), m.get("algorithm"), m.get("vector_type"), Integer.parseInt(m.get("schema_version")),
                Instant.ofEpochSecond(Long.parseLong(m.get("created")))));
    }

    @Override
    public IndexMeta prepare(String embedder, String model, int dimension) {
        // Only a meta record proves what the vectors are; an index without one goes through
        // createIndex, which compares its schema with ours.
        Optional<IndexMeta> existing = recordedMeta();
        if (existing.isPresent()) {
            existing.get().requireAccepts(describe(), embedder, model, dimension);
            return existing.get();
        }
        IndexMeta meta = createIndex(embedder, model, dimension);
        Map<String, String> fields = metaFields(meta);
        List<String> args = new ArrayList<>();
        fields.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        Object created = call(() -> redis.eval(CREATE_META, List.of(keys.meta()), args));
        if (!Long.valueOf(1).equals(created)) {
            // Another process made the index first: go by its record.
            IndexMeta theirs = recordedMeta().orElseThrow();
            theirs.requireAccepts(describe(), embedder, model, dimension);
            return theirs;
        }
        return meta;
    }

    /** The meta record's fields; engines add their own. */
    protected Map<String, String> metaFields(IndexMeta meta) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("engine", meta.engine());
        fields.put("embedder", meta.embedder());
        fields.put("model", meta.model());
        fields.put("dim", String.valueOf(meta.dimension()));
        fields.put("metric", meta.metric());
        fields.put("algorithm", meta.algorithm());
        fields.put("vector_type", meta.vectorType());
        fields.put("schema_version", String.valueOf(meta.schemaVersion()));
        fields.put("created", String.valueOf(meta.created().getEpochSecond()));
        fields.put(PREFIX_FIELD, keys.prefix());
        return fields;
    }

    @Override
    public Optional<PostRecord> post(String postId) {
        Map<String, String> m = call(() -> redis.hgetAll(keys.post(postId)));
        if (m.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PostRecord(postId, m.get("url"), m.get("title"), m.get("feed"), instant(m.get("published")),
                m.get("content_hash"), Integer.parseInt(m.get("chunks")), instant(m.get("ingested_at"))));
    }

    @Override
    public void replacePost(PostRecord post, List<StoredPassage> passages) {
        String postKey = keys.post(post.postId());
        // Repeated whole after a failover: it reads what the post had, then rewrites all of it.
        // WATCHed: another ingest writing the same post (it came through another feed) between our
        // read of its passage count and our EXEC would leave passages no record counts.
        List<Object> results = call(() -> connection.idempotent(List.of(postKey), () -> {
            for (int attempt = 1; ; attempt++) {
                Optional<List<Object>> done = connection.transaction(postKey,
                        () -> post(post.postId()).map(PostRecord::chunks).orElse(0),
                        (tx, previousChunks) -> replaceInTransaction(tx, post, passages, previousChunks));
                if (done.isPresent()) {
                    return done.get();
                }
                if (attempt == MAX_WATCH_ATTEMPTS) {
                    throw new IllegalStateException("another process kept rewriting " + post.url() + " while we wrote it");
                }
                backOff(attempt);
            }
        }));
        for (Object result : results) {
            if (result instanceof JedisDataException e) {
                throw new IllegalStateException("Redis refused part of the write of " + post.url() + ": " + e.getMessage(), e);
            }
        }
    }

    private void replaceInTransaction(AbstractTransaction tx, PostRecord post, List<StoredPassage> passages,
                                      int previousChunks) {
        for (StoredPassage passage : passages) {
            String key = keys.passage(post.postId(), passage.chunk());
            tx.hset(bytes(key), passageFields(post, passage));
            indexPassage(tx, key, post, passage);
        }
        for (int chunk = passages.size(); chunk < previousChunks; chunk++) {
            String key = keys.passage(post.postId(), chunk);
            tx.del(key);
            unindexPassage(tx, key, post.postId());
        }
        tx.hset(keys.post(post.postId()), postFields(post));
    }

    /** A random pause growing with the attempts, so two writers of one post stop meeting. */
    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * attempt + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a post", e);
        }
    }

    private static Map<byte[], byte[]> passageFields(PostRecord post, StoredPassage passage) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(bytes("url"), bytes(post.url()));
        fields.put(bytes("title"), bytes(post.title()));
        fields.put(bytes("feed"), bytes(post.feed()));
        if (post.published() != null) {
            fields.put(bytes("published"), bytes(String.valueOf(post.published().getEpochSecond())));
        }
        fields.put(bytes("chunk"), bytes(String.valueOf(passage.chunk())));
        fields.put(bytes("text"), bytes(passage.text()));
        fields.put(bytes("embedding"), float32(passage.embedding()));
        return fields;
    }

    private static Map<String, String> postFields(PostRecord post) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("url", post.url());
        fields.put("title", post.title());
        fields.put("feed", post.feed());
        if (post.published() != null) {
            fields.put("published", String.valueOf(post.published().getEpochSecond()));
        }
        fields.put("content_hash", post.contentHash());
        fields.put("chunks", String.valueOf(post.chunks()));
        fields.put("ingested_at", String.valueOf(post.ingestedAt().getEpochSecond()));
        return fields;
    }

    @Override
    public Optional<FeedState> feedState(String feedUrl) {
        Map<String, String> m = call(() -> redis.hgetAll(keys.feed(feedUrl)));
        return m.isEmpty() ? Optional.empty() : Optional.of(feedState(m));
    }

    private static FeedState feedState(Map<String, String> m) {
        return new FeedState(m.get("url"), m.get("etag"), m.get("last_modified"), instant(m.get("last_run")),
                Integer.parseInt(m.getOrDefault("entries", "0")));
    }

    @Override
    public void saveFeedState(FeedState state) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("url", state.url());
        fields.put("last_run", String.valueOf(state.lastRun().getEpochSecond()));
        fields.put("entries", String.valueOf(state.entries()));
        if (state.etag() != null) {
            fields.put("etag", state.etag());
        }
        if (state.lastModified() != null) {
            fields.put("last_modified", state.lastModified());
        }
        String key = keys.feed(state.url());
        call(() -> connection.idempotent(List.of(key), () -> connection.transaction(key, () -> null, (tx, nothing) -> {
            tx.del(key);
            tx.hset(key, fields);
        })));
    }

    @Override
    public StoreStatus status() {
        List<FeedState> feeds = new ArrayList<>();
        for (String key : scan(keys.feedPattern())) {
            feeds.add(feedState(call(() -> redis.hgetAll(key))));
        }
        feeds.sort(Comparator.comparing(FeedState::url));
        return new StoreStatus(describe(), meta().orElse(null), scan(keys.postPattern()).size(), passageCount(), feeds);
    }

    @Override
    public void drop() {
        dropIndex();
        // Only what this index wrote: each post's record and its passages, its feeds' states and
        // its meta record. Never every key under the prefix: other data may live there too. A
        // post's passages go before its record and the meta record last, so that a drop cut
        // short leaves nothing the next drop cannot find.
        List<String> posts = scan(keys.postPattern());
        List<String> chunks = pipelined(posts, (pipeline, post) -> pipeline.hget(post, "chunks"));
        List<String> doomed = new ArrayList<>();
        for (int i = 0; i < posts.size(); i++) {
            String postId = RedisKeys.postIdOfRecord(posts.get(i));
            int count;
            try {
                count = Math.min(Integer.parseInt(chunks.get(i)), MAX_CHUNKS_TO_DROP);
            } catch (NumberFormatException missingOrDamaged) {
                count = 0;
            }
            for (int c = 0; c < count; c++) {
                doomed.add(keys.passage(postId, c));
            }
            doomed.add(posts.get(i));
        }
        doomed.addAll(scan(keys.feedPattern()));
        call(() -> {
            connection.unlink(doomed);
            return null;
        });
        call(() -> redis.unlink(keys.meta()));
    }

    /**
     * Runs a command that names no key, such as the query engine's {@code FT.*}: on a cluster,
     * on a master (the engine's coordinator answers there for every shard).
     */
    protected <T> T onAnyNode(Function<UnifiedJedis, T> command) {
        return call(() -> connection.onAnyNode(command));
    }

    /**
     * Reads with one command a key, sent in one pipeline (on a cluster, each command to its
     * node), the replies in order. On a cluster the whole read is repeated while a slot changes
     * hands, as writes are; a node lost for longer, or a redirect that does not settle, is exit 3
     * (read inside {@link #call}), not a stray exception.
     */
    protected <T> List<T> pipelined(List<String> keys, BiFunction<AbstractPipeline, String, Response<T>> command) {
        return call(() -> connection.idempotent(keys, () -> {
            List<Response<T>> responses = new ArrayList<>(keys.size());
            try (AbstractPipeline pipeline = redis.pipelined()) {
                for (String key : keys) {
                    responses.add(command.apply(pipeline, key));
                }
                pipeline.sync();
            }
            List<T> replies = new ArrayList<>(responses.size());
            for (Response<T> response : responses) {
                replies.add(response.get());
            }
            return replies;
        }));
    }

    /** Sets a field of the meta record only while the record exists: a drop meanwhile must not leave a stub behind. */
    protected void markMeta(String field, String value) {
        call(() -> redis.eval(MARK_META, List.of(keys.meta()), List.of(field, value)));
    }

    /** Every key matching {@code pattern}, on every node. */
    protected List<String> scan(String pattern) {
        return call(() -> connection.scan(pattern));
    }

    @Override
    public void close() {
        if (indexLock != null) {
            indexLock.close();
        }
        connection.close();
    }

    /**
     * Runs a Redis call, turning a lost connection or a full Redis into a one-line, exit-3
     * failure. Every command of the stores goes through here, transactions included.
     */
    protected <T> T call(Supplier<T> command) {
        try {
            return command.get();
        } catch (JedisAccessControlException e) {
            throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint + " refused the login: " + e.getMessage(), e);
        } catch (JedisConnectionException e) {
            throw new FeedsearchException(ExitCode.UNREACHABLE, "lost the connection to Redis at " + endpoint + ": "
                    + RedisConnector.reason(e), e);
        } catch (JedisClusterOperationException e) {
            throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis Cluster at " + endpoint + " did not answer: "
                    + e.getMessage(), e);
        } catch (JedisDataException e) {
            Optional<String> outOfMemory = outOfMemory(e);
            if (outOfMemory.isPresent()) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis at " + endpoint
                        + " is out of memory (maxmemory reached; raise maxmemory or free space): " + outOfMemory.get(), e);
            }
            if (RedisConnection.Cluster.isFailover(e)) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "Redis Cluster at " + endpoint
                        + " kept moving or refusing a slot (failover or resharding): " + e.getMessage(), e);
            }
            throw e;
        } catch (IllegalStateException e) {
            if (RedisConnection.Cluster.replyNeverCame(e)) {
                throw new FeedsearchException(ExitCode.UNREACHABLE, "lost a node of Redis at " + endpoint
                        + " while it answered a pipeline", e);
            }
            throw e;
        }
    }

    /**
     * Redis's OOM refusal, if that is what {@code e} is. In a transaction Redis refuses a command
     * as it is queued, and EXEC answers "EXECABORT ... previous errors" (Jedis attaches the queued
     * commands' errors as suppressed exceptions), or it refuses EXEC itself with
     * "EXECABORT ... because of: OOM ...".
     */
    static Optional<String> outOfMemory(JedisDataException e) {
        return Stream.concat(Stream.of(e), Arrays.stream(e.getSuppressed()))
                .map(Throwable::getMessage)
                .filter(Objects::nonNull)
                .map(OUT_OF_MEMORY::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .findFirst();
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** FLOAT32 little-endian, the layout RediSearch and VADD FP32 read. */
    protected static byte[] float32(float[] vector) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }

    protected static Instant instant(String epochSeconds) {
        return epochSeconds == null || epochSeconds.isEmpty() ? null : Instant.ofEpochSecond(Long.parseLong(epochSeconds));
    }
}

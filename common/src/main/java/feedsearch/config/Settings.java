package feedsearch.config;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.embed.OpenAiEmbedder;
import feedsearch.openai.OpenAiClient;
import feedsearch.openai.OpenAiSettings;
import feedsearch.fetch.Fetcher;
import feedsearch.store.IndexMeta;
import feedsearch.store.LocalStore;
import feedsearch.store.StoreAccess;
import feedsearch.store.VectorStore;
import feedsearch.store.redis.RedisEndpoint;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.RedisStores;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a run is configured with, from flags and the environment, and the one place that
 * turns it into the parts the pipeline is built from.
 *
 * @param index     index name; the local store's directory name, and the Redis index and key prefix of records
 * @param store     {@code local}, {@code redis}, a redis:// URL, or null to choose from the environment
 * @param storePath the local store's directory; null for the default under XDG_DATA_HOME
 * @param redisUrl  {@code --redis}; null for REDIS_URL or REDIS_HOST and friends
 * @param embedder  requested embedder; null for the index's own (query) or {@code local} (ingest)
 * @param model     requested model; null for the embedder's default or the index's own
 * @param openai    the API's flags; a null base URL or key is taken from the environment
 */
public record Settings(String index, String store, Path storePath, String redisUrl, RedisOptions redis, String embedder,
                       String model, Duration httpTimeout, long maxPageBytes, String userAgent, OpenAiSettings openai,
                       Map<String, String> env) {

    public static final String DEFAULT_INDEX = "posts";
    /** No path separators, no '..', no glob characters for Redis's SCAN patterns, no hash-tag braces; ':' as Redis names go. */
    private static final Pattern INDEX_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(20);
    public static final long DEFAULT_MAX_PAGE_BYTES = 10L * 1024 * 1024;

    public static Settings defaults(Map<String, String> env, String version) {
        return new Settings(DEFAULT_INDEX, null, null, null, RedisOptions.DEFAULTS, null, null, DEFAULT_HTTP_TIMEOUT,
                DEFAULT_MAX_PAGE_BYTES, "feedsearch/" + version + " (semantic search for feeds)", OpenAiSettings.DEFAULTS, Map.copyOf(env));
    }

    /**
     * @throws FeedsearchException (exit 2) for an index name that is not a plain name: it names a
     *                             directory under the data directory and Redis keys and key patterns
     */
    public Settings withStore(String index, String store, Path storePath, String redisUrl) {
        if (index == null || !INDEX_NAME.matcher(index).matches()) {
            throw new FeedsearchException(ExitCode.USAGE, "--index must be a plain name: letters, digits, '.', '_', '-' or ':', "
                    + "starting with a letter or digit, at most 64 characters; not '" + Printable.line(String.valueOf(index), 80) + "'");
        }
        return new Settings(index, store, storePath, redisUrl, redis, embedder, model, httpTimeout, maxPageBytes, userAgent, openai, env);
    }

    public Settings withRedis(RedisOptions redis) {
        return new Settings(index, store, storePath, redisUrl, redis, embedder, model, httpTimeout, maxPageBytes, userAgent, openai, env);
    }

    public Settings withEmbedder(String embedder, String model) {
        return new Settings(index, store, storePath, redisUrl, redis, embedder, model, httpTimeout, maxPageBytes, userAgent, openai, env);
    }

    public Settings withHttp(Duration httpTimeout, long maxPageBytes) {
        return new Settings(index, store, storePath, redisUrl, redis, embedder, model, httpTimeout, maxPageBytes, userAgent, openai, env);
    }

    public Settings withOpenAi(OpenAiSettings openai) {
        return new Settings(index, store, storePath, redisUrl, redis, embedder, model, httpTimeout, maxPageBytes, userAgent, openai, env);
    }

    /**
     * Redis when {@code --store} says so, or when nothing says local and {@code --redis},
     * REDIS_URL or REDIS_HOST names a server; the local store otherwise.
     */
    public boolean usesRedis() {
        if (store != null) {
            String s = store.toLowerCase(Locale.ROOT);
            if (s.equals("local")) {
                return false;
            }
            if (s.equals("redis") || s.startsWith("redis://") || s.startsWith("rediss://")) {
                return true;
            }
            throw new FeedsearchException(ExitCode.USAGE, "--store takes local, redis, or a redis:// URL");
        }
        return redisUrl != null || RedisEndpoint.configuredIn(env);
    }

    public RedisEndpoint redisEndpoint() {
        if (store != null && store.contains("://")) {
            return RedisEndpoint.fromUrl(store, env);
        }
        return redisUrl != null ? RedisEndpoint.fromUrl(redisUrl, env) : RedisEndpoint.fromEnvironment(env);
    }

    /** The local store's directory: {@code --store-path}, else {@code $XDG_DATA_HOME/feedsearch/<index>}. */
    public Path localStorePath() {
        if (storePath != null) {
            return storePath.toAbsolutePath().normalize();
        }
        String xdg = env.get("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share");
        return data.resolve("feedsearch").resolve(index).toAbsolutePath().normalize();
    }

    /** Opens the store for {@code access}; the local store has one writer at a time, whatever it writes. */
    public VectorStore openStore(StoreAccess access) {
        if (usesRedis()) {
            return RedisStores.open(redisEndpoint(), index, redis, access);
        }
        return access == StoreAccess.READ ? LocalStore.openForReading(localStorePath()) : LocalStore.openForWriting(localStorePath());
    }

    /** @param allowPrivateLinks let links in feeds from public addresses reach private and loopback ones */
    public Fetcher fetcher(boolean allowPrivateLinks) {
        return new Fetcher(httpTimeout, maxPageBytes, userAgent, allowPrivateLinks);
    }

    /**
     * The embedder for ingesting: the one asked for, else the index's own, else the local model.
     * A mismatch with the index is caught by the store, which knows its dimension too.
     */
    public Embedder embedderForIngest(Optional<IndexMeta> existing) {
        if (embedder == null && model == null && existing.isPresent() && existing.get().recordsEmbedder()) {
            return createEmbedder(existing.get().embedder(), existing.get().model());
        }
        return createEmbedder(embedder != null ? embedder : LocalEmbedder.NAME, model);
    }

    /**
     * The embedder that reads the index's vectors: the one recorded in it. Asking for another
     * is an error that names the right flags, never an empty ranking. An index that records
     * none (built outside feedsearch) needs the user to name it.
     */
    public Embedder embedderFor(IndexMeta meta) {
        if (!meta.recordsEmbedder()) {
            if (embedder == null) {
                throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + index + "' records no embedder"
                        + " (it was not built by feedsearch); its vectors have " + meta.dimension() + " dimensions, "
                        + meta.metric() + ": name the model that made them, e.g. --embedder openai --model text-embedding-ada-002");
            }
            return createEmbedder(embedder, model);
        }
        boolean otherEmbedder = embedder != null && !embedder.equals(meta.embedder());
        boolean otherModel = model != null && !model.equals(meta.model());
        if (otherEmbedder || otherModel) {
            throw new FeedsearchException(ExitCode.INCOMPATIBLE_INDEX, "index '" + index + "' holds "
                    + meta.embedder() + "/" + meta.model() + " vectors (" + meta.dimension() + " dimensions); questions must be embedded"
                    + " the same way: drop --embedder/--model or use " + meta.embedderFlags());
        }
        return createEmbedder(meta.embedder(), meta.model());
    }

    /** Where the OpenAI-compatible API is: the flag, else OPENAI_BASE_URL, else OpenAI's. */
    public OpenAiSettings openAiSettings() {
        String base = openai.baseUrl() != null ? openai.baseUrl() : env.get("OPENAI_BASE_URL");
        String key = openai.apiKey() != null ? openai.apiKey() : env.get("OPENAI_API_KEY");
        return openai.withApi(base == null || base.isBlank() ? OpenAiSettings.OPENAI_BASE_URL : base,
                key == null || key.isBlank() ? null : key);
    }

    /** A client for the OpenAI-compatible API, or a message saying how to configure one. */
    public OpenAiClient openAiClient(String purpose) {
        OpenAiSettings api = openAiSettings();
        if (api.apiKey() == null && api.baseUrl().equals(OpenAiSettings.OPENAI_BASE_URL)) {
            throw new FeedsearchException(ExitCode.USAGE, purpose + " needs an OpenAI-compatible API: set OPENAI_API_KEY for "
                    + "OpenAI, or OPENAI_BASE_URL (or --openai-base-url) for another server, e.g. http://localhost:11434/v1 for Ollama");
        }
        return new OpenAiClient(api, duration -> Thread.sleep(duration.toMillis()));
    }

    private Embedder createEmbedder(String name, String model) {
        if (OpenAiEmbedder.NAME.equals(name)) {
            return new OpenAiEmbedder(openAiClient("--embedder openai"), model);
        }
        if (!LocalEmbedder.NAME.equals(name)) {
            throw new FeedsearchException(ExitCode.USAGE, "unknown embedder '" + name + "' (available: local, openai)");
        }
        if (!LocalEmbedder.supports(model)) {
            throw new FeedsearchException(ExitCode.USAGE,
                    "the local embedder has no model '" + model + "' (available: " + LocalEmbedder.MODEL_ID + ")");
        }
        return new LocalEmbedder();
    }
}

package feedsearch.cli;

import feedsearch.config.Settings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Which index, in which store: shared by every command. */
public final class StoreOptions {
    @Option(names = "--index", paramLabel = "NAME", defaultValue = Settings.DEFAULT_INDEX,
            description = "Index name: letters, digits, '.', '_', '-' or ':' (default: ${DEFAULT-VALUE}).")
    String index;

    @Option(names = "--store", paramLabel = "local|redis|URL",
            description = "Where the index lives (default: redis when --redis, REDIS_URL or REDIS_HOST is set, else local).")
    String store;

    @Option(names = "--store-path", paramLabel = "DIR",
            description = "Directory of the local store (default: $XDG_DATA_HOME/feedsearch/<index>, "
                    + "or ~/.local/share/feedsearch/<index>).")
    Path storePath;

    @Option(names = "--redis", paramLabel = "URL",
            description = "Redis to use: redis://[user@]host:port[/db], rediss:// for TLS (default: REDIS_URL, or "
                    + "REDIS_HOST/REDIS_PORT). The password comes from REDIS_PASSWORD; keep it off the command line.")
    String redis;

    @Option(names = "--redis-engine", paramLabel = "search|vectorset",
            description = "Redis vector engine: search (the query engine) or vectorset (Redis 8 vector sets). "
                    + "Default: the index's own, else search if the server has it, else vectorset.")
    String redisEngine;

    @Option(names = "--prefix", paramLabel = "PREFIX",
            description = "Redis key prefix of passage hashes: letters, digits, '.', '_', '-', ':' or '/' "
                    + "(default: post: for the index posts, <index>:passage: for others).")
    String prefix;

    Settings applyTo(Settings settings) {
        Settings s = settings.withStore(index, store, storePath, redis);
        return s.withRedis(s.redis().withEngine(redisEngine, prefix));
    }
}

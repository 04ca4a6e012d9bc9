package feedsearch.bench;

import feedsearch.store.StoreAccess;
import feedsearch.store.StoreStatus;
import feedsearch.store.VectorStore;
import feedsearch.store.redis.RedisEndpoint;
import feedsearch.store.redis.RedisOptions;
import feedsearch.store.redis.RedisStores;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.GeneratedFeed;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Several {@code bin/ingest} processes at once on disjoint feed lists into one index on a Redis
 * Cluster of 3 masters and 3 replicas started here: total passages/s for 1, 2 and 4 workers.
 * Each run is a first ingest into a new index. Not a test: run by scripts/bench-workers.sh.
 *
 * <pre>ClusterWorkersBench ROOT EMBEDDER [FEEDS [POSTS_PER_FEED [WORDS_PER_POST]]]</pre>
 * EMBEDDER {@code fake}: the tests' fake OpenAI API in this JVM, answering at once with cheap
 * vectors, so that what is timed is feed reading, chunking and the writes to the cluster;
 * {@code local}: the launchers' default, the local model in every worker.
 */
public final class ClusterWorkersBench {
    private static final String KEY = "sk-bench";

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        String embedder = args[1];
        int feeds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        int posts = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        int words = args.length > 4 ? Integer.parseInt(args[4]) : 400;
        Path dir = Files.createTempDirectory("bench-workers");
        List<Path> feedFiles = new ArrayList<>();
        for (int f = 0; f < feeds; f++) {
            feedFiles.add(GeneratedFeed.write(dir.resolve("feed" + f + ".xml"), posts, words, "site" + f + ".example.org"));
        }
        Path binary = RedisServer.findBinary().orElseThrow(() -> new IllegalStateException("no redis-server 8: run scripts/install-redis.sh"));
        System.out.printf("%d generated full-content feeds of %d posts of ~%d words (local files); embedder %s; %d cores%n",
                feeds, posts, words, embedder, Runtime.getRuntime().availableProcessors());
        try (RedisCluster cluster = RedisCluster.start(binary, dir.resolve("cluster"), 3);
             FakeOpenAi api = new FakeOpenAi(KEY)) {
            System.out.println("Redis Cluster: 3 masters + 3 replicas on loopback, vector sets, 16 shards");
            System.out.printf("%-8s %10s %9s %9s %14s%n", "workers", "passages", "posts", "wall s", "passages/s");
            for (int workers : new int[]{1, 2, 4}) {
                String index = "bench" + workers;
                List<Process> running = new ArrayList<>();
                long start = System.nanoTime();
                for (int w = 0; w < workers; w++) {
                    Path list = dir.resolve(index + "-worker" + w + ".txt");
                    StringBuilder lines = new StringBuilder();
                    for (int f = w; f < feeds; f += workers) {
                        lines.append(feedFiles.get(f)).append('\n');
                    }
                    Files.writeString(list, lines);
                    running.add(worker(root, cluster.url(), index, list, embedder, api).start());
                }
                for (Process p : running) {
                    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (p.waitFor() != 0) {
                        throw new IllegalStateException("a worker failed (exit " + p.exitValue() + "): " + output);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                StoreStatus status;
                try (VectorStore store = RedisStores.open(RedisEndpoint.fromUrl(cluster.url(), Map.of()), index,
                        RedisOptions.DEFAULTS, StoreAccess.READ)) {
                    status = store.status();
                }
                System.out.printf("%-8d %10d %9d %9.1f %14.0f%n", workers, status.passages(), status.posts(), seconds,
                        status.passages() / seconds);
            }
        } finally {
            delete(dir);
        }
    }

    private static ProcessBuilder worker(Path root, String url, String index, Path list, String embedder, FakeOpenAi api) {
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/ingest").toString(), "--feeds-file", list.toString(),
                "--store", url, "--index", index, "--redis-engine", "vectorset", "--quiet"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (embedder.equals("fake")) {
            command.addAll(List.of("--embedder", "openai", "--model", "hash-bench"));
            builder.command(command);
            builder.environment().put("OPENAI_BASE_URL", api.baseUrl());
            builder.environment().put("OPENAI_API_KEY", KEY);
        }
        return builder;
    }

    private static void delete(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

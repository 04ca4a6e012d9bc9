package feedsearch.bench;

import feedsearch.store.redis.ShardTags;
import feedsearch.testing.RedisCluster;
import feedsearch.testing.RedisServer;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.VAddParams;
import redis.clients.jedis.params.VSimParams;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Helper of scripts/bench-redis.sh (issue 11 point 4). Not a test: synthetic, seeded vectors
 * written to Redis 8 vector sets and queried back, on one node and on a 3-master cluster.
 *
 * <p>Vectors: 384 dimensions, {@value #CENTROIDS} random unit centroids plus Gaussian noise of
 * the same norm as a centroid, normalised (so a passage's cosine to its centroid is about 0.7 and
 * to another member of its cluster about 0.5, as sentence embeddings of related text are). Five
 * passages a post; each post goes to the shard {@code ShardTags.of(S).tagOf(postId)}, key
 * {@code bench:vectors:{tag}}. Queries are fresh points of the same distribution (another seed).
 *
 * <p>Writes: {@code writers} threads, each pipelining batches of {@code batch} VADDs (FP32 blob,
 * a SETATTR of the store's shape); on a cluster each batch goes to every master it touches in
 * parallel (Jedis's cluster pipeline). Memory: used_memory after minus before, summed over
 * masters. CPU: used_cpu_sys + used_cpu_user after minus before, per master. Queries: one client,
 * one query after another, VSIM COUNT 10 WITHSCORES sent to every shard in one pipeline and
 * merged; recall@10 against exact (brute-force float) search.
 *
 * <pre>
 * RedisBench quick|full|shards      (options by system properties: see main and shardsOnly)
 * </pre>
 */
public final class RedisBench {
    static final int DIM = 384;
    static final int CENTROIDS = 200;
    static final int PASSAGES_PER_POST = 5;
    static final int K = 10;
    static final long SEED = 20261126L;

    private static final int WRITERS = Integer.getInteger("bench.writers", 4);
    private static final int BATCH = Integer.getInteger("bench.batch", 200);
    private static final int QUERIES = Integer.getInteger("bench.queries", 300);
    private static final int RECALL_QUERIES = Integer.getInteger("bench.recallQueries", 200);

    /** One VADD option set. */
    record Options(String quant, boolean cas, int ef, int m) {
        VAddParams params(String attr) {
            VAddParams p = new VAddParams().setAttr(attr).ef(ef).m(m);
            switch (quant) {
                case "NOQUANT" -> p.noQuant();
                case "Q8" -> p.q8();
                case "BIN" -> p.bin();
                default -> throw new IllegalArgumentException(quant);
            }
            return cas ? p.cas() : p;
        }

        @Override
        public String toString() {
            return quant + (cas ? " CAS" : "") + " EF " + ef + " M " + m;
        }
    }

    record Result(String setup, int n, int shards, Options options, double seconds, double rate,
                  double cpu, double bytesPerPassage, double p50, double p99, double recall,
                  double p50NoThread, double p99NoThread, double p50Ef, double recallEf, List<double[]> perMaster, String load) {
        /** Passages per CPU-second of all masters together. */
        double perCpuSecond() {
            return n / cpu;
        }
    }

    /** A Redis deployment under test: a client and the masters' addresses (for INFO). */
    record Target(String name, UnifiedJedis client, List<HostAndPort> masters, List<HostAndPort> replicas) {
    }

    static int small;
    static Options chosen;
    static final int QUERY_EF = 500;

    static Result find(List<Result> in, Options o) {
        return in.stream().filter(r -> r.options.equals(o)).findFirst().orElse(null);
    }
    static float[][] data;
    static float[][] queries;
    static final List<Result> results = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        String plan = args.length > 0 ? args[0] : "quick";
        if (plan.equals("binary")) {
            System.out.println(RedisServer.findBinary().map(Path::toString).orElse("redis-server"));
            return;
        }
        if (!plan.equals("quick") && !plan.equals("full") && !plan.equals("shards")) {
            throw new IllegalArgumentException("usage: RedisBench quick|full|shards");
        }
        boolean full = plan.equals("full");
        small = Integer.getInteger("bench.small", 10_000);
        int large = Integer.getInteger("bench.large", full || plan.equals("shards") ? 100_000 : 30_000);
        Path binary = RedisServer.findBinary().orElseThrow(() ->
                new IllegalStateException("no redis-server 8: run scripts/install-redis.sh or set REDIS_SERVER"));
        Path dir = Files.createTempDirectory("bench-redis");
        long t0 = System.nanoTime();
        data = generate(large, SEED);
        queries = generate(QUERIES, SEED + 1);
        POST_IDS = new String[(large + PASSAGES_PER_POST - 1) / PASSAGES_PER_POST];
        for (int p = 0; p < POST_IDS.length; p++) {
            POST_IDS[p] = feedsearch.Sha256.hex("https://example.com/post/" + p).substring(0, 16);
        }
        System.out.printf(Locale.ROOT, "data: %,d passages x %d dims (%d clusters, seed %d), %d queries (recall on %d); writers %d, pipeline batch %d; generated in %.1f s%n",
                large, DIM, CENTROIDS, SEED, QUERIES, RECALL_QUERIES, WRITERS, BATCH, (System.nanoTime() - t0) / 1e9);
        Map<Integer, int[][]> truth = new java.util.HashMap<>();
        for (int n : new int[] {small, large}) {
            long t = System.nanoTime();
            truth.put(n, exact(n));
            System.out.printf(Locale.ROOT, "exact top-%d for %d queries over %,d passages: %.1f s%n", K, RECALL_QUERIES, n, (System.nanoTime() - t) / 1e9);
        }

        if (plan.equals("shards")) {
            shardsOnly(binary, dir, large, truth);
            return;
        }

        // 1. The VADD option grid at 10k on one node, one set (S=1).
        List<Options> grid = new ArrayList<>();
        for (String q : List.of("NOQUANT", "Q8", "BIN")) {
            for (boolean cas : List.of(false, true)) {
                grid.add(new Options(q, cas, 200, 16)); // 200 and 16: Redis's own defaults
            }
        }
        for (int ef : new int[] {50, 100}) {
            for (boolean cas : List.of(false, true)) {
                grid.add(new Options("Q8", cas, ef, 16));
                grid.add(new Options("NOQUANT", cas, ef, 16));
            }
        }
        for (int m : new int[] {8, 32}) {
            grid.add(new Options("Q8", true, 200, m));
            grid.add(new Options("Q8", true, 100, m));
        }
        grid.add(new Options("Q8", true, 50, 8));
        grid.add(new Options("Q8", false, 50, 8));
        if (!full) {
            grid = grid.subList(0, 6);
            grid.add(new Options("Q8", false, 100, 16));
            grid.add(new Options("Q8", false, 50, 16));
        }
        List<Result> gridResults = new ArrayList<>();
        try (RedisServer server = RedisServer.start(binary, dir.resolve("single"));
             RedisClient client = RedisClient.builder().hostAndPort("127.0.0.1", server.port()).clientConfig(config()).build()) {
            HostAndPort node = new HostAndPort("127.0.0.1", server.port());
            Target single = new Target("1 node", client, List.of(node), List.of());
            header("VADD options at " + String.format(Locale.ROOT, "%,d", small) + " passages, one node, S=1");
            for (Options o : grid) {
                gridResults.add(run(single, small, 1, o, truth.get(small)));
            }
            List<Result> good = gridResults.stream().filter(r -> r.recall >= 0.95)
                    .sorted(Comparator.comparingDouble(Result::rate).reversed()).toList();
            System.out.println();
            System.out.println("ranked by write rate, recall@10 >= 0.95:");
            good.forEach(r -> System.out.printf(Locale.ROOT, "  %-24s %8.0f passages/s  %6.0f passages per server CPU-s  recall@10 %.3f  %5.0f bytes/passage%n",
                    r.options, r.rate, r.perCpuSecond(), r.recall, r.bytesPerPassage));

            // 2. At 10k every Q8 set has the same recall, so the grid cannot tell how EF and M hold
            // up as a set grows: a ladder of (EF, M) at the large size in one set (S=1); the chosen
            // options are the fastest rung with recall@10 >= 0.95 there (the highest recall if none
            // reaches it). Without CAS: the store adds a post's passages inside MULTI/EXEC, where
            // Redis drops CAS (vset.c runs VADD on the main thread under MULTI, Lua and replication).
            int[][] rungs = full ? new int[][] {{50, 8}, {50, 16}, {100, 16}, {200, 16}} : new int[][] {{50, 16}, {200, 16}};
            List<Options> ladder = new ArrayList<>();
            for (int[] rung : rungs) {
                ladder.add(new Options("Q8", false, rung[0], rung[1]));
            }
            header(String.format(Locale.ROOT, "EF/M ladder at %,d passages, one node, S=1 (also VSIM EF %d)", large, QUERY_EF));
            List<Result> ladderResults = new ArrayList<>();
            for (Options o : ladder) {
                ladderResults.add(run(single, large, 1, o, truth.get(large)));
            }
            chosen = ladderResults.stream().filter(r -> r.recall >= 0.95).max(Comparator.comparingDouble(Result::rate))
                    .or(() -> ladderResults.stream().max(Comparator.comparingDouble(Result::recall))).orElseThrow().options;
            System.out.println("chosen: " + chosen);

            // 3. Shards: the same ladder with S=16, and the chosen options at the small size.
            header("S=16 on one node");
            run(single, small, 16, chosen, truth.get(small));
            if (find(gridResults, chosen) == null) {
                run(single, small, 1, chosen, truth.get(small));
            }
            for (Options o : ladder) {
                run(single, large, 16, o, truth.get(large));
            }
        }

        // 4. A 3-master cluster (no replicas by default: on 2 cores a replica replays every VADD's graph work), S=16.
        header("3-master cluster, S=16, chosen options " + chosen);
        try (Deployment cluster = startCluster(binary, dir.resolve("cluster"), 3, Integer.getInteger("bench.replicas", 0))) {
            for (int n : new int[] {small, large}) {
                run(cluster.target, n, 16, chosen, truth.get(n));
            }
        }
        table();
        project(large);
        deleteTree(dir);
    }

    /**
     * S=1 and S=16 at the large size, alternately, {@code bench.repeats} times each, with the
     * options in {@code bench.options} ("Q8 CAS EF 100 M 16"): how much the two differ against
     * how much one differs from itself on a shared machine.
     */
    static void shardsOnly(Path binary, Path dir, int large, Map<Integer, int[][]> truth) throws Exception {
        String[] f = System.getProperty("bench.options", "Q8 EF 100 M 16").split(" ");
        boolean cas = f[1].equals("CAS");
        int at = cas ? 2 : 1;
        Options o = new Options(f[0], cas, Integer.parseInt(f[at + 1]), Integer.parseInt(f[at + 3]));
        try (RedisServer server = RedisServer.start(binary, dir.resolve("single"));
             RedisClient client = RedisClient.builder().hostAndPort("127.0.0.1", server.port()).clientConfig(config()).build()) {
            Target single = new Target("1 node", client, List.of(new HostAndPort("127.0.0.1", server.port())), List.of());
            header(String.format(Locale.ROOT, "S=1 and S=16 alternately at %,d passages, %s", large, o));
            for (int i = 0; i < Integer.getInteger("bench.repeats", 2); i++) {
                run(single, large, 1, o, truth.get(large));
                run(single, large, 16, o, truth.get(large));
            }
        }
        table();
        deleteTree(dir);
    }

    static JedisClientConfig config() {
        return DefaultJedisClientConfig.builder().socketTimeoutMillis(300_000).build();
    }

    // ---------------------------------------------------------------- data

    static float[][] generate(int n, long seed) {
        Random centroidRandom = new Random(SEED);
        float[][] centroids = new float[CENTROIDS][];
        for (int c = 0; c < CENTROIDS; c++) {
            centroids[c] = normalise(gaussian(centroidRandom, 1.0));
        }
        Random r = new Random(seed);
        double noise = 1.0 / Math.sqrt(DIM); // noise vector of norm ~1, as the centroid's
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] c = centroids[r.nextInt(CENTROIDS)];
            float[] v = gaussian(r, noise);
            for (int d = 0; d < DIM; d++) {
                v[d] += c[d];
            }
            out[i] = normalise(v);
        }
        return out;
    }

    static float[] gaussian(Random r, double sigma) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) (r.nextGaussian() * sigma);
        }
        return v;
    }

    static float[] normalise(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
        return v;
    }

    static String element(int i) {
        return "bench:passage:{" + postId(i) + "}:" + (i % PASSAGES_PER_POST);
    }

    /** As PostId makes them: the first 16 hex digits of a SHA-256 (here of the post's number). */
    static String postId(int i) {
        return POST_IDS[i / PASSAGES_PER_POST];
    }

    static String[] POST_IDS;

    static byte[] fp32(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** The exact top K of the first RECALL_QUERIES queries over the first n passages, by dot product. */
    static int[][] exact(int n) {
        int[][] top = new int[RECALL_QUERIES][];
        for (int q = 0; q < RECALL_QUERIES; q++) {
            float[] query = queries[q];
            int[] ids = new int[K];
            float[] scores = new float[K];
            Arrays.fill(scores, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < n; i++) {
                float[] v = data[i];
                float s = 0;
                for (int d = 0; d < DIM; d++) {
                    s += query[d] * v[d];
                }
                if (s > scores[K - 1]) {
                    int j = K - 1;
                    while (j > 0 && scores[j - 1] < s) {
                        scores[j] = scores[j - 1];
                        ids[j] = ids[j - 1];
                        j--;
                    }
                    scores[j] = s;
                    ids[j] = i;
                }
            }
            top[q] = ids;
        }
        return top;
    }

    // ---------------------------------------------------------------- one run

    static Result run(Target target, int n, int shards, Options options, int[][] truth) throws Exception {
        ShardTags tags = ShardTags.of(shards);
        List<String> keys = tags.tags().stream().map(t -> "bench:vectors:{" + t + "}").toList();
        for (HostAndPort m : target.masters) {
            try (Jedis j = new Jedis(m)) {
                j.flushAll(redis.clients.jedis.args.FlushMode.SYNC);
            }
        }
        for (HostAndPort m : target.replicas) {
            awaitEmpty(m);
        }
        Thread.sleep(200);
        List<HostAndPort> all = new ArrayList<>(target.masters);
        all.addAll(target.replicas);
        double[][] before = stats(all);
        String load0 = load();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> futures = new ArrayList<>();
        int posts = (n + PASSAGES_PER_POST - 1) / PASSAGES_PER_POST;
        for (int w = 0; w < WRITERS; w++) {
            final int writer = w;
            futures.add(pool.submit(() -> {
                AbstractPipeline pipeline = target.client.pipelined();
                int pending = 0;
                List<Response<Boolean>> replies = new ArrayList<>();
                for (int post = writer; post < posts; post += WRITERS) {
                    String key = "bench:vectors:{" + tags.tagOf(POST_IDS[post]) + "}";
                    for (int i = post * PASSAGES_PER_POST; i < Math.min(n, (post + 1) * PASSAGES_PER_POST); i++) {
                        String attr = "{\"feed\":\"https://blog" + (post % 50) + ".example.com/feed.xml\",\"feed_id\":\"0123456789abcdef\",\"published\":" + (1_700_000_000L + post) + "}";
                        replies.add(pipeline.vaddFP32(key, fp32(data[i]), element(i), options.params(attr)));
                        if (++pending >= BATCH) {
                            pipeline.sync();
                            check(replies);
                            pipeline.close();
                            pipeline = target.client.pipelined();
                            pending = 0;
                        }
                    }
                }
                pipeline.sync();
                check(replies);
                pipeline.close();
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (HostAndPort m : target.replicas) {
            awaitReplicated(m, target);
        }
        double[][] after = stats(all);
        long card = 0;
        for (String key : keys) {
            card += target.client.vcard(key);
        }
        if (card != n) {
            throw new IllegalStateException("vector sets hold " + card + " elements, not " + n);
        }
        double cpu = 0;
        double mem = 0;
        List<double[]> perMaster = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            double c = after[i][0] - before[i][0];
            double m = after[i][1] - before[i][1];
            long held = 0;
            try (Jedis j = new Jedis(all.get(i))) {
                if (i >= target.masters.size()) {
                    j.readonly(); // a replica answers reads of its master's slots only after READONLY
                }
                for (String key : j.keys("bench:vectors:*")) {
                    held += j.vcard(key);
                }
            }
            perMaster.add(new double[] {c, m, after[i][2], held});
            if (i < target.masters.size()) {
                cpu += c;
                mem += m;
            }
        }

        // Queries: one client, one after another, every shard in one pipeline, merged; VSIM as
        // Redis runs it by default (in a thread), then with NOTHREAD (on the main thread).
        double[] threaded = queries(target, keys, new VSimParams().count(K), truth);
        double[] noThread = queries(target, keys, new VSimParams().count(K).noThread(), truth);
        double[] wide = shards == 1 && n > small ? queries(target, keys, new VSimParams().count(K).ef(QUERY_EF), truth) : new double[] {Double.NaN, Double.NaN, Double.NaN};
        Result r = new Result(target.name, n, shards, options, seconds, n / seconds, cpu, mem / n,
                threaded[0], threaded[1], threaded[2], noThread[0], noThread[1], wide[0], wide[2], perMaster, load0 + " -> " + load());
        results.add(r);
        print(r, target);
        return r;
    }

    /** {p50 ms, p99 ms, recall@10}. */
    static double[] queries(Target target, List<String> keys, VSimParams params, int[][] truth) {
        double[] latency = new double[QUERIES];
        int hits = 0;
        for (int q = 0; q < QUERIES; q++) {
            long s = System.nanoTime();
            List<Map.Entry<String, Double>> merged = new ArrayList<>();
            if (keys.size() == 1) {
                merged.addAll(target.client.vsimWithScores(keys.get(0), queries[q], params).entrySet());
            } else {
                List<Response<Map<String, Double>>> replies = new ArrayList<>();
                try (AbstractPipeline p = target.client.pipelined()) {
                    for (String key : keys) {
                        replies.add(p.vsimWithScores(key, queries[q], params));
                    }
                    p.sync();
                }
                for (Response<Map<String, Double>> r : replies) {
                    merged.addAll(r.get().entrySet());
                }
            }
            merged.sort(Map.Entry.<String, Double>comparingByValue().reversed());
            latency[q] = (System.nanoTime() - s) / 1e6;
            if (q < RECALL_QUERIES) {
                Set<String> expected = new HashSet<>();
                for (int id : truth[q]) {
                    expected.add(element(id));
                }
                for (int i = 0; i < Math.min(K, merged.size()); i++) {
                    if (expected.contains(merged.get(i).getKey())) {
                        hits++;
                    }
                }
            }
        }
        Arrays.sort(latency);
        return new double[] {percentile(latency, 0.50), percentile(latency, 0.99), hits / (double) (RECALL_QUERIES * K)};
    }

    static void check(List<Response<Boolean>> replies) {
        for (Response<Boolean> r : replies) {
            if (!r.get()) {
                throw new IllegalStateException("VADD added nothing (element already present?)");
            }
        }
        replies.clear();
    }

    static double percentile(double[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static final Pattern NUMBER = Pattern.compile("(used_cpu_sys|used_cpu_user|used_memory):([0-9.]+)");

    /** {cpu seconds, used_memory bytes, used_memory bytes} of each node. */
    static double[][] stats(List<HostAndPort> nodes) {
        double[][] out = new double[nodes.size()][3];
        for (int i = 0; i < nodes.size(); i++) {
            try (Jedis j = new Jedis(nodes.get(i))) {
                String info = j.info("cpu") + j.info("memory");
                Matcher m = NUMBER.matcher(info);
                while (m.find()) {
                    double v = Double.parseDouble(m.group(2));
                    switch (m.group(1)) {
                        case "used_cpu_sys", "used_cpu_user" -> out[i][0] += v;
                        case "used_memory" -> {
                            out[i][1] = v;
                            out[i][2] = v;
                        }
                        default -> { }
                    }
                }
            }
        }
        return out;
    }

    static void awaitEmpty(HostAndPort node) throws InterruptedException {
        try (Jedis j = new Jedis(node)) {
            while (j.dbSize() != 0) {
                Thread.sleep(50);
            }
        }
    }

    /** Waits until a replica has applied everything its master sent (offsets equal). */
    static void awaitReplicated(HostAndPort replica, Target target) throws InterruptedException {
        try (Jedis j = new Jedis(replica)) {
            while (true) {
                String info = j.info("replication");
                Matcher master = Pattern.compile("master_port:(\\d+)").matcher(info);
                Matcher offset = Pattern.compile("slave_repl_offset:(\\d+)").matcher(info);
                if (master.find() && offset.find()) {
                    try (Jedis m = new Jedis(new HostAndPort("127.0.0.1", Integer.parseInt(master.group(1))))) {
                        Matcher mo = Pattern.compile("master_repl_offset:(\\d+)").matcher(m.info("replication"));
                        if (mo.find() && mo.group(1).equals(offset.group(1))) {
                            return;
                        }
                    }
                }
                Thread.sleep(50);
            }
        }
    }

    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    // ---------------------------------------------------------------- cluster

    static final class Deployment implements AutoCloseable {
        final Target target;
        final List<AutoCloseable> closers;

        Deployment(Target target, List<AutoCloseable> closers) {
            this.target = target;
            this.closers = closers;
        }

        @Override
        public void close() throws Exception {
            target.client.close();
            for (AutoCloseable c : closers) {
                c.close();
            }
        }
    }

    static Deployment startCluster(Path binary, Path dir, int masters, int replicas) throws Exception {
        List<AutoCloseable> closers = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        if (replicas == 1) {
            RedisCluster cluster = RedisCluster.start(binary, dir, masters);
            closers.add(cluster);
            cluster.liveNodes().forEach(n -> ports.add(n.port()));
        } else {
            List<String> command = new ArrayList<>(List.of(binary.resolveSibling("redis-cli").toString(), "--cluster", "create"));
            for (int i = 0; i < masters; i++) {
                RedisServer node = RedisServer.start(binary, dir.resolve("node" + i), "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf");
                closers.add(node);
                ports.add(node.port());
                command.add("127.0.0.1:" + node.port());
            }
            command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + out);
            }
            for (int port : ports) {
                try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port))) {
                    while (!j.clusterInfo().contains("cluster_state:ok")) {
                        Thread.sleep(100);
                    }
                }
            }
        }
        List<HostAndPort> masterNodes = new ArrayList<>();
        List<HostAndPort> replicaNodes = new ArrayList<>();
        for (int port : ports) {
            try (Jedis j = new Jedis(new HostAndPort("127.0.0.1", port))) {
                (j.info("replication").contains("role:master") ? masterNodes : replicaNodes).add(new HostAndPort("127.0.0.1", port));
            }
        }
        RedisClusterClient client = RedisClusterClient.builder()
                .nodes(Set.of(new HostAndPort("127.0.0.1", ports.get(0)))).clientConfig(config()).build();
        String name = masters + "-master cluster" + (replicaNodes.isEmpty() ? "" : " +" + replicaNodes.size() + " replicas");
        System.out.println(name + ": masters " + masterNodes + (replicaNodes.isEmpty() ? "" : ", replicas " + replicaNodes));
        return new Deployment(new Target(name, client, masterNodes, replicaNodes), closers);
    }

    // ---------------------------------------------------------------- output

    static void header(String title) {
        System.out.println();
        System.out.println("== " + title + " (load average " + load() + ")");
        System.out.printf(Locale.ROOT, "%-16s %8s %3s %-22s %7s %9s %7s %9s %8s %7s %7s %9s %8s %8s  %s%n",
                "setup", "passages", "S", "VADD options", "write s", "passages/s", "CPU s", "p/CPU-s", "B/passage", "p50 ms", "p99 ms", "recall@10", "p50 NT", "p99 NT", "load average before -> after");
    }

    static void print(Result r, Target target) {
        System.out.println(row(r));
        if (!Double.isNaN(r.recallEf)) {
            System.out.printf(Locale.ROOT, "    same set, VSIM EF %d: recall@10 %.3f, p50 %.2f ms%n", QUERY_EF, r.recallEf, r.p50Ef);
        }
        if (target.masters.size() > 1 || !target.replicas.isEmpty()) {
            for (int i = 0; i < r.perMaster.size(); i++) {
                boolean master = i < target.masters.size();
                HostAndPort node = master ? target.masters.get(i) : target.replicas.get(i - target.masters.size());
                double[] s = r.perMaster.get(i);
                System.out.printf(Locale.ROOT, "    %-7s %-16s %,7.0f passages  CPU %6.1f s  %,6.0f passages per CPU-s  used_memory +%6.1f MiB (%6.1f MiB now)%n",
                        master ? "master" : "replica", node, s[3], s[0], s[3] / s[0], s[1] / 1048576, s[2] / 1048576);
            }
        }
    }

    static String row(Result r) {
        return String.format(Locale.ROOT, "%-16s %8d %3d %-22s %7.1f %9.0f %7.1f %9.0f %8.0f %7.2f %7.2f %9.3f %8.2f %8.2f  %s",
                r.setup, r.n, r.shards, r.options, r.seconds, r.rate, r.cpu, r.perCpuSecond(), r.bytesPerPassage, r.p50, r.p99, r.recall, r.p50NoThread, r.p99NoThread, r.load);
    }

    static void table() {
        System.out.println();
        System.out.println("== summary (markdown)");
        System.out.println("| setup | passages | S | VADD options | write rate (passages/s) | server CPU s | passages per server CPU-s | bytes/passage | p50 / p99 ms | p50 / p99 ms NOTHREAD | recall@10 | recall@10, p50 ms with VSIM EF " + QUERY_EF + " | load average |");
        System.out.println("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %d | %s | %,.0f | %.1f | %,.0f | %,.0f | %.2f / %.2f | %.2f / %.2f | %.3f | %s | %s |%n",
                    r.setup, r.n, r.shards, r.options, r.rate, r.cpu, r.perCpuSecond(), r.bytesPerPassage, r.p50, r.p99, r.p50NoThread, r.p99NoThread, r.recall,
                    Double.isNaN(r.recallEf) ? "" : String.format(Locale.ROOT, "%.3f, %.2f", r.recallEf, r.p50Ef), r.load);
        }
    }

    /**
     * 1M and 10M passages on paper, from the measured figures, with the arithmetic. The write
     * cost of a passage depends on the size of the set it joins: the per-CPU-second rate of
     * filling one set (S=1) to the small and to the large size gives a factor per x10 of set size,
     * applied to the size each shard reaches (N / S).
     */
    static void project(int large) {
        Result s1Small = results.stream().filter(r -> r.setup.equals("1 node") && r.n == small && r.shards == 1 && r.options.equals(chosen)).findFirst().orElseThrow();
        Result s1Large = results.stream().filter(r -> r.setup.equals("1 node") && r.n == large && r.shards == 1 && r.options.equals(chosen)).findFirst().orElseThrow();
        Result one = results.stream().filter(r -> r.setup.equals("1 node") && r.n == large && r.shards == 16 && r.options.equals(chosen)).findFirst().orElseThrow();
        Result cl = results.stream().filter(r -> !r.setup.equals("1 node") && r.n == large).findFirst().orElseThrow();
        System.out.println();
        System.out.println("== projection (" + chosen + ")");
        System.out.printf(Locale.ROOT, "measured, one node, %,d passages, S=16: %,.0f passages/s wall, %,.0f passages per server CPU-second, %,.0f bytes/passage, recall@10 %.3f, p50 %.2f ms%n",
                large, one.rate, one.perCpuSecond(), one.bytesPerPassage, one.recall, one.p50);
        System.out.printf(Locale.ROOT, "measured, %s, %,d passages, S=16: %,.0f passages/s wall (%.2fx one node on the same 2 cores), %,.0f passages per server CPU-second (%.2fx one node's)%n",
                cl.setup, large, cl.rate, cl.rate / one.rate, cl.perCpuSecond(), cl.perCpuSecond() / one.perCpuSecond());
        double decades = Math.log10((double) large / small);
        double perDecade = Math.pow(s1Large.perCpuSecond() / s1Small.perCpuSecond(), 1 / decades);
        System.out.printf(Locale.ROOT, "one set filled to %,d: %,.0f passages per CPU-s; to %,d: %,.0f; factor per x10 of set size: (%,.0f / %,.0f)^(1/%.2f) = %.2f%n",
                small, s1Small.perCpuSecond(), large, s1Large.perCpuSecond(), s1Large.perCpuSecond(), s1Small.perCpuSecond(), decades, perDecade);
        double budget = 12.5 * (1L << 30);
        for (long n : new long[] {1_000_000L, 10_000_000L}) {
            double mem = n * one.bytesPerPassage;
            int forMemory = (int) Math.max(1, Math.ceil(mem / budget));
            System.out.printf(Locale.ROOT, "%,d passages:%n", n);
            System.out.printf(Locale.ROOT, "    memory: %,d x %,.0f B = %.1f GiB of vector sets (x2 with a replica behind each master; passage texts and post records come on top)%n",
                    n, one.bytesPerPassage, mem / (1L << 30));
            System.out.printf(Locale.ROOT, "    masters for memory at 12.5 GiB used_memory each (half a 25 GiB node: room for a save's fork and replication): ceil(%.1f / 12.5) = %d%n",
                    mem / (1L << 30), forMemory);
            for (int shards : new int[] {16, 64}) {
                double shardSize = (double) n / shards;
                double rate = s1Large.perCpuSecond() * Math.pow(perDecade, Math.log10(shardSize / large));
                double cpu = n / rate;
                System.out.printf(Locale.ROOT, "    S=%d: shards of %,.0f; rate %,.0f x %.2f^log10(%,.0f / %,d) = %,.0f passages per CPU-s; first ingest %,d / %,.0f = %,.0f CPU-s = %.1f h on one master core,"
                                + " %.2f h on 3 masters, %.2f h on 6, %.2f h on 16 (one core each, writers in parallel); %d masters for 1 h%n",
                        shards, shardSize, s1Large.perCpuSecond(), perDecade, shardSize, large, rate, n, rate, cpu, cpu / 3600,
                        cpu / 3600 / 3, cpu / 3600 / 6, cpu / 3600 / Math.min(16, shards), (int) Math.ceil(cpu / 3600));
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

package feedsearch.testing;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback: {@code masters} masters with one replica each, all
 * {@link RedisServer}s of the same binary, joined by {@code redis-cli --cluster create}. A short
 * node timeout makes a killed master fail over within seconds.
 */
public final class RedisCluster implements AutoCloseable {
    static final int NODE_TIMEOUT_MILLIS = 1_000;

    private final List<RedisServer> nodes;
    /** The default user's password on every node; null for none. */
    private final String password;

    private RedisCluster(List<RedisServer> nodes, String password) {
        this.nodes = nodes;
        this.password = password;
    }

    public static RedisCluster start(Path binary, Path dir, int masters) {
        return start(binary, dir, masters, null);
    }

    /** With {@code password} required of every client, replicas and redis-cli included. */
    public static RedisCluster start(Path binary, Path dir, int masters, String password) {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < masters * 2; i++) {
                List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MILLIS)));
                if (password != null) {
                    args.addAll(List.of("--requirepass", password, "--masterauth", password));
                }
                nodes.add(RedisServer.start(binary, dir.resolve("node" + i), args.toArray(String[]::new)));
            }
            RedisCluster cluster = new RedisCluster(nodes, password);
            cluster.create(cli(binary));
            cluster.awaitHealthy();
            return cluster;
        } catch (RuntimeException e) {
            nodes.forEach(RedisServer::close);
            throw e;
        }
    }

    /** The redis-cli beside the server (scripts/install-redis.sh puts it there), else the one on the PATH. */
    private static Path cli(Path server) {
        Path sibling = server.resolveSibling("redis-cli");
        return Files.isExecutable(sibling) ? sibling : Path.of("redis-cli");
    }

    private void create(Path cli) {
        List<String> command = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
        nodes.forEach(n -> command.add("127.0.0.1:" + n.port()));
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until every live node says the cluster is ok and agrees on which nodes are masters
     * holding slots, with a replica in sync behind each.
     */
    public void awaitHealthy() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = healthProblem().orElse(null);
            if (last == null) {
                return;
            }
            RedisServer.sleep(100);
        }
        throw new IllegalStateException("cluster not healthy within 60s: " + last);
    }

    private Optional<String> healthProblem() {
        for (RedisServer node : liveNodes()) {
            try (Jedis jedis = client(node)) {
                String info = jedis.clusterInfo();
                if (!info.contains("cluster_state:ok")) {
                    return Optional.of(node.port() + ": " + info.lines().findFirst().orElse(""));
                }
                if (jedis.info("replication").contains("role:slave")
                        && !jedis.info("replication").contains("master_link_status:up")) {
                    return Optional.of(node.port() + ": replica link down");
                }
            } catch (RuntimeException e) {
                return Optional.of(node.port() + ": " + e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Empties every master (the replicas follow). */
    public void flushAll() {
        for (RedisServer node : liveNodes()) {
            try (Jedis jedis = client(node)) {
                if (jedis.info("replication").contains("role:master")) {
                    jedis.flushAll();
                }
            }
        }
    }

    /** A plain client of one node, logged in. */
    public Jedis client(RedisServer node) {
        Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", node.port()));
        if (password != null) {
            jedis.auth(password);
        }
        return jedis;
    }

    /** A URL of one node, the way a user names a cluster. */
    public String url() {
        return liveNodes().get(0).url();
    }

    public List<RedisServer> liveNodes() {
        return nodes.stream().filter(RedisServer::isAlive).toList();
    }

    /** The master serving {@code slot} now. */
    public RedisServer masterOf(int slot) {
        for (RedisServer node : liveNodes()) {
            try (Jedis jedis = client(node)) {
                for (String line : jedis.clusterNodes().split("\n")) {
                    String[] f = line.split(" ");
                    if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail") && servesSlot(f, slot)) {
                        int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                        return nodes.stream().filter(n -> n.port() == port).findFirst().orElseThrow();
                    }
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    private static boolean servesSlot(String[] fields, int slot) {
        for (int i = 8; i < fields.length; i++) {
            String range = fields[i];
            if (range.startsWith("[")) {
                continue; // a slot being migrated
            }
            String[] ends = range.split("-");
            int from = Integer.parseInt(ends[0]);
            int to = ends.length > 1 ? Integer.parseInt(ends[1]) : from;
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    /** Waits until a live master serves {@code slot} again, as after a failover. */
    public RedisServer awaitMasterOf(int slot) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                RedisServer master = masterOf(slot);
                if (master.isAlive()) {
                    try (Jedis jedis = client(master)) {
                        if (jedis.info("replication").contains("role:master") && jedis.clusterInfo().contains("cluster_state:ok")) {
                            return master;
                        }
                    }
                }
            } catch (RuntimeException notYet) {
                // a node mid-failover
            }
            RedisServer.sleep(100);
        }
        throw new IllegalStateException("no live master for slot " + slot + " within 60s");
    }


    @Override
    public void close() {
        nodes.forEach(RedisServer::close);
    }
}

package feedsearch.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway {@code redis-server} (version 8 or later) on a free loopback port, with its data
 * in a temporary directory: no persistence unless asked, stopped, killed and restarted at will.
 * The binary comes from REDIS_SERVER, the PATH, or where scripts/install-redis.sh puts it.
 */
public final class RedisServer implements AutoCloseable {
    private final Path binary;
    private final Path dir;
    private final List<String> extraArgs;
    private final int port;
    private Process process;

    private RedisServer(Path binary, Path dir, int port, List<String> extraArgs) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        this.extraArgs = extraArgs;
    }

    /** The redis-server to use, if one of version 8 or later can be found. */
    public static Optional<Path> findBinary() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getenv("REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            candidates.add(Path.of(configured));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "redis-server"));
            }
        }
        candidates.add(Path.of(System.getProperty("user.home"), ".cache", "feedsearch", "redis-8", "bin", "redis-server"));
        return candidates.stream().filter(Files::isExecutable).filter(RedisServer::isVersion8OrLater).findFirst();
    }

    /**
     * The redis-server the tests use. With none on this machine a test is skipped, saying why,
     * except under CI (CI set), where that is a failure: CI installs Redis 8 with scripts/install-redis.sh.
     */
    public static Path requireBinary() {
        return findBinary().orElseGet(() -> {
            String why = "no redis-server 8.x found (REDIS_SERVER, PATH, ~/.cache/feedsearch/redis-8): run scripts/install-redis.sh";
            if (System.getenv("CI") != null) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
            return null;
        });
    }

    /** A new directory for a server's files. */
    static Path newDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isVersion8OrLater(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("v=(\\d+)\\.").matcher(out);
            return m.find() && Integer.parseInt(m.group(1)) >= 8;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Starts a server with no persistence. A port found free can be taken before the server binds
     * it, and a cluster node also binds a bus port 10,000 above, which nobody checked and any
     * outgoing connection may hold (it failed a CI run once): then it tries again on another port,
     * in a directory of its own inside {@code dir}.
     */
    public static RedisServer start(Path binary, Path dir, String... extraArgs) {
        for (int attempt = 1; ; attempt++) {
            Path attemptDir = attempt == 1 ? dir : dir.resolve("attempt-" + attempt);
            RedisServer server = new RedisServer(binary, attemptDir, freePort(), List.of(extraArgs));
            try {
                server.start();
                return server;
            } catch (IllegalStateException e) {
                server.close();
                if (attempt == MAX_START_ATTEMPTS || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static final int MAX_START_ATTEMPTS = 5;

    public void start() {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
        command.addAll(extraArgs); // later arguments win, so callers can turn persistence on
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + log());
            }
            if (answersPing()) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer within 20s: " + log());
    }

    private boolean answersPing() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = new byte[64];
            int n = socket.getInputStream().read(reply);
            // A server still loading its AOF answers -LOADING; one with a password, -NOAUTH.
            String answer = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII) : "";
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (IOException notYet) {
            return false;
        }
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown, no final write. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    public void stop() {
        process.destroy();
        waitForExit();
    }

    private void waitForExit() {
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String log() {
        try {
            Path log = dir.resolve("redis.log");
            return Files.exists(log) ? Files.readString(log) : Files.readString(dir.resolve("redis.out"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}

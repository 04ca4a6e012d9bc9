package feedsearch.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C or a timeout's SIGTERM while the model loads (ingest and query load it while they read)
 * must stop the JVM as a signal does (exit 143), not crash it: onnxruntime's own shutdown hook
 * frees its environment while the session is still being built. JVMs of their own, since only a
 * real signal and exit show it; signalled at a few moments of the load, which takes about a second here.
 */
class LocalEmbedderSignalTest {
    @TempDir
    Path dir;

    @Test
    void aSignalWhileTheModelLoadsStopsTheJvmWithoutACrash() throws Exception {
        for (long delayMillis : new long[] {50, 150, 250, 350, 500, 700}) {
            Path said = dir.resolve("out-" + delayMillis);
            Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), PreloadThenWait.class.getName())
                    .redirectErrorStream(true).redirectOutput(said.toFile()).directory(dir.toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.readString(said).contains("loading") && jvm.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertTrue(jvm.isAlive(), Files.readString(said));
                Thread.sleep(delayMillis);
                jvm.destroy(); // SIGTERM
                assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
                assertEquals(143, jvm.exitValue(), "signalled " + delayMillis + " ms into the load: " + Files.readString(said));
                assertFalse(Files.readString(said).contains("A fatal error"), Files.readString(said));
            } finally {
                jvm.destroyForcibly();
            }
        }
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("hs_err_pid")), "no crash log");
        }
    }
}

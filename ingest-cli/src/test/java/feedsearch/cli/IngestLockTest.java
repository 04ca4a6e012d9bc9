package feedsearch.cli;

import feedsearch.testing.CommandRun;
import feedsearch.testing.FeedServer;
import feedsearch.testing.SampleFeed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two ingest processes on one local store: the second is turned away, the first finishes. */
class IngestLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondIngestFailsFastWithExitFive() throws Exception {
        String store = dir.resolve("index").toString();
        try (FeedServer server = new FeedServer()) {
            // The first process stalls on this page while holding the store's lock.
            server.serveOneHeldPost("/slow");

            Process first = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    IngestCommand.class.getName(), "--feed", server.base() + "/feed.xml", "--store-path", store)
                    .redirectErrorStream(true).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.hits("/slow") == 0 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, server.hits("/slow"), "the first ingest reached the page");

            long start = System.nanoTime();
            CommandRun second = CommandRun.of(new IngestCommand(), "--feed", SampleFeed.path().toString(), "--store-path", store);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(5, second.exitCode(), second.toString());
            assertTrue(second.err().contains("is locked: another ingest is writing to it"), second.err());
            assertTrue(millis < 30_000, "fails fast, not after a wait: " + millis + " ms");

            server.open("/slow");
            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
            String firstOutput = new String(first.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, first.exitValue(), firstOutput);
            assertTrue(firstOutput.contains("1 added"), firstOutput);
        }
        // Nothing corrupted: the store opens and the next ingest takes the lock.
        CommandRun after = CommandRun.of(new IngestCommand(), "--feed", SampleFeed.path().toString(), "--store-path", store);
        assertEquals(0, after.exitCode(), after.toString());
        CommandRun status = CommandRun.of(new IngestCommand(), "status", "--store-path", store);
        assertTrue(status.out().contains("posts:     13"), status.out());
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java" + (File.separatorChar == '\\' ? ".exe" : "")).toString();
    }
}

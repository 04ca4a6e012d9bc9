package feedsearch.embed;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local model needs no network, and must not use it: DJL's tokenizer asks the EC2 metadata service unless told not to. */
class LocalEmbedderNetworkTest {
    @Test
    void embeddingOpensNoUrl() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EmbedWatchingRequests.class.getName())
                .redirectErrorStream(true);
        builder.environment().remove("OPT_OUT_TRACKING");
        Process jvm = builder.start();
        assertTrue(jvm.waitFor(120, TimeUnit.SECONDS), "the JVM did not end");
        String printed = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, jvm.exitValue(), printed);
        assertTrue(printed.contains("embedded 384"), printed);
        assertTrue(!printed.contains("request "), printed);
    }
}

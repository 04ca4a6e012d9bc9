package feedsearch.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local model needs no network, and must not use it: DJL's tokenizer asks the EC2 metadata service unless told not to. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LocalEmbedderNetworkTest {
    @Test
    void embeddingOpensNoUrl() throws IOException, InterruptedException {
        String printed = embedWatchingRequests(null);
        assertTrue(printed.contains("embedded 384"), printed);
        assertFalse(printed.contains("request "), printed);
    }

    /** Set but empty, DJL reads it as "track", and its environment wins over the property we set. */
    @Test
    void anEmptyOptOutInTheEnvironmentStillOpensNoUrl() throws IOException, InterruptedException {
        String printed = embedWatchingRequests("");
        assertTrue(printed.contains("embedded 384"), printed);
        assertFalse(printed.contains("request "), printed);
    }

    /** That the watch sees DJL's requests: a user who turns tracking back on gets them. */
    @Test
    void theWatchSeesDjlsRequestsWhenTrackingIsOn() throws IOException, InterruptedException {
        String printed = embedWatchingRequests(null, "-DOPT_OUT_TRACKING=false");
        assertTrue(printed.contains("embedded 384"), printed);
        assertTrue(printed.contains("request http://169.254.169.254/"), printed);
    }

    /** @param optOut OPT_OUT_TRACKING in the JVM's environment, or null for none */
    private static String embedWatchingRequests(String optOut, String... jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmbedWatchingRequests.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("OPT_OUT_TRACKING");
        builder.environment().remove("DJL_OFFLINE");
        if (optOut != null) {
            builder.environment().put("OPT_OUT_TRACKING", optOut);
        }
        Process jvm = builder.start();
        String printed = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jvm.waitFor(120, TimeUnit.SECONDS), "the JVM did not end");
        assertEquals(0, jvm.exitValue(), printed);
        return printed;
    }
}

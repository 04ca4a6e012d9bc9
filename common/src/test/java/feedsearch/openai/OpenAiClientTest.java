package feedsearch.openai;

import okhttp3.HttpUrl;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiClientTest {
    private static String rebased(String base, String requested) {
        Request request = new Request.Builder().url(requested).build();
        return OpenAiClient.rebase(request, HttpUrl.parse(base)).url().toString();
    }

    @Test
    void theLibrarysAbsolutePathsGoUnderTheBaseUrl() {
        assertEquals("https://api.openai.com/v1/embeddings", rebased("https://api.openai.com/v1/", "https://api.openai.com/v1/embeddings"));
        assertEquals("http://localhost:11434/v1/chat/completions",
                rebased("http://localhost:11434/v1/", "http://localhost:11434/v1/chat/completions"));
        assertEquals("https://proxy.example/openai/v1/embeddings?x=1",
                rebased("https://proxy.example/openai/v1/", "https://proxy.example/v1/embeddings?x=1"));
    }

    @Test
    void backoffGrowsAndStaysBounded() {
        for (int attempt = 1; attempt <= 20; attempt++) {
            Duration d = OpenAiClient.backoff(attempt);
            long ceiling = Math.min(30_000, 500L << Math.min(attempt - 1, 16));
            assertTrue(d.toMillis() >= ceiling / 2 && d.toMillis() <= ceiling, attempt + ": " + d);
        }
    }
}

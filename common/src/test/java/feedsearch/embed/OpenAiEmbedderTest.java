package feedsearch.embed;

import com.fasterxml.jackson.databind.JsonNode;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.openai.OpenAiClient;
import feedsearch.openai.OpenAiException;
import feedsearch.openai.OpenAiSettings;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.FakeOpenAi.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The openai embedder against an in-process server speaking the API's JSON. */
class OpenAiEmbedderTest {
    private static final String KEY = "sk-test-0123456789abcdef";
    private final FakeOpenAi api = new FakeOpenAi(KEY);
    private final List<Duration> waits = new ArrayList<>();

    @AfterEach
    void stop() {
        api.close();
    }

    private OpenAiEmbedder embedder(String model, String key, Duration readTimeout, int maxTries) {
        OpenAiSettings settings = new OpenAiSettings(api.baseUrl(), key, Duration.ofSeconds(2), readTimeout, maxTries);
        return new OpenAiEmbedder(new OpenAiClient(settings, waits::add), model);
    }

    private OpenAiEmbedder embedder(String model) {
        return embedder(model, KEY, Duration.ofSeconds(10), 3);
    }

    @Test
    void sendsOneBatchAndReturnsTheServedVectors() {
        try (OpenAiEmbedder embedder = embedder(null)) {
            List<String> passages = List.of("How to build a bot", "Sourdough starter", "Bicycle puncture");
            List<float[]> vectors = embedder.embed(passages);

            assertEquals(1, api.embeddingRequests().size());
            JsonNode request = api.embeddingRequests().get(0);
            assertEquals("text-embedding-3-small", request.get("model").asText());
            assertEquals(3, request.get("input").size());
            assertEquals("Sourdough starter", request.get("input").get(1).asText());
            for (int i = 0; i < passages.size(); i++) {
                assertArrayEquals(FakeOpenAi.vector("text-embedding-3-small", passages.get(i)), vectors.get(i), 1e-6f);
            }
            assertEquals(1536, embedder.dimension());
            assertEquals(new EmbeddingUsage(1, 9), embedder.usage());
        }
    }

    @Test
    void largeInputsAreSplitWithinTheApisLimits() {
        try (OpenAiEmbedder embedder = embedder("hash-small")) {
            List<String> many = IntStream.range(0, OpenAiEmbedder.MAX_INPUTS_PER_REQUEST + 5).mapToObj(i -> "passage " + i).toList();
            assertEquals(many.size(), embedder.embed(many).size());
            assertEquals(List.of(OpenAiEmbedder.MAX_INPUTS_PER_REQUEST, 5),
                    api.embeddingRequests().stream().map(r -> r.get("input").size()).toList());

            api.embeddingRequests().clear();
            String big = "word ".repeat(7000); // about 7,000 tokens each: only so many fit the per-request cap
            embedder.embed(IntStream.range(0, 40).mapToObj(i -> big + i).toList());
            assertEquals(2, api.embeddingRequests().size());
            int firstBatch = api.embeddingRequests().get(0).get("input").size();
            assertTrue(firstBatch * 7000 <= OpenAiEmbedder.MAX_TOKENS_PER_REQUEST, "batch of " + firstBatch);
        }
    }

    @Test
    void rateLimitWaitsAsLongAsRetryAfterSays() {
        api.thenReply(new Reply(429, Map.of("Retry-After", "2"), "{\"error\":{\"message\":\"Rate limit reached\"}}", 0));
        try (OpenAiEmbedder embedder = embedder("hash-small")) {
            assertEquals(1, embedder.embed(List.of("x")).size());
        }
        assertEquals(List.of(Duration.ofSeconds(2)), waits);
        assertEquals(2, api.embeddingRequests().size());
    }

    @Test
    void serverErrorsAreRetriedWithGrowingBackoffThenReported() {
        for (int i = 0; i < 3; i++) {
            api.thenReply(Reply.status(500, "{\"error\":{\"message\":\"The server had an error\"}}"));
        }
        try (OpenAiEmbedder embedder = embedder("hash-small")) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> embedder.embed(List.of("x")));
            assertTrue(e.getMessage().contains("HTTP 500 (The server had an error) (gave up after 3 tries)"), e.getMessage());
        }
        assertEquals(3, api.embeddingRequests().size());
        assertEquals(2, waits.size());
        assertTrue(waits.get(0).toMillis() >= 250 && waits.get(0).toMillis() <= 500, waits.toString());
        assertTrue(waits.get(1).toMillis() >= 500 && waits.get(1).toMillis() <= 1000, waits.toString());
    }

    @Test
    void aRefusedKeyStopsAtOnceWithoutShowingIt() {
        try (OpenAiEmbedder embedder = embedder("hash-small", "sk-wrong-key-98765", Duration.ofSeconds(5), 3)) {
            FeedsearchException e = assertThrows(FeedsearchException.class, () -> embedder.embed(List.of("x")));
            assertEquals(ExitCode.UNREACHABLE, e.exitCode());
            assertTrue(e.getMessage().contains("refused the key (HTTP 401): check OPENAI_API_KEY"), e.getMessage());
            assertFalse(e.getMessage().contains("98765"));
        }
        assertEquals(1, api.embeddingRequests().size(), "no retry");
    }

    @Test
    void malformedJsonIsAClearErrorNotARetry() {
        api.thenReply(Reply.status(200, "{\"object\":\"list\",\"data\":[{\"embedding\":[0.1,"));
        try (OpenAiEmbedder embedder = embedder("hash-small")) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> embedder.embed(List.of("x")));
            assertTrue(e.getMessage().contains("answered with malformed JSON"), e.getMessage());
        }
        assertEquals(1, api.embeddingRequests().size());
    }

    /** What a broken server sends in place of a vector fails the call (and so exactly its batch's posts). */
    @Test
    void vectorsNoStoreCanCompareAreRefused() {
        api.thenReply(Reply.status(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[0.5,1e39,0.1]}],\"model\":\"hash-small\"}"));
        api.thenReply(Reply.status(200, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,"
                + "\"embedding\":[0.0,0.0,-0.0]}],\"model\":\"hash-small\"}"));
        try (OpenAiEmbedder embedder = embedder("hash-small")) {
            IllegalStateException huge = assertThrows(IllegalStateException.class, () -> embedder.embed(List.of("x")));
            assertTrue(huge.getMessage().contains("returned a vector with a value float cannot hold: 1.0E39"), huge.getMessage());
            IllegalStateException zero = assertThrows(IllegalStateException.class, () -> embedder.embed(List.of("y")));
            assertTrue(zero.getMessage().contains("returned a zero vector"), zero.getMessage());
        }
    }

    @Test
    void aSlowServerTimesOut() {
        api.thenReply(new Reply(200, Map.of(), "{}", 3000)).thenReply(new Reply(200, Map.of(), "{}", 3000));
        try (OpenAiEmbedder embedder = embedder("hash-small", KEY, Duration.ofSeconds(1), 2)) {
            OpenAiException e = assertThrows(OpenAiException.class, () -> embedder.embed(List.of("x")));
            assertTrue(e.getMessage().contains("no answer from " + api.baseUrl() + " within 1s (gave up after 2 tries)"),
                    e.getMessage());
        }
    }

    @Test
    void anUnknownModelsDimensionIsLearnedFromTheFirstAnswer() {
        try (OpenAiEmbedder embedder = embedder("hash-custom")) {
            assertEquals(8, embedder.dimension());
            assertEquals(1, api.embeddingRequests().size());
            assertEquals(8, embedder.dimension());
            assertEquals(1, api.embeddingRequests().size(), "learned once");
        }
    }
}

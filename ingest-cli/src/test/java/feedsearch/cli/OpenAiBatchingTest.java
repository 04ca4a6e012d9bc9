package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.testing.CommandRun;
import feedsearch.testing.FakeOpenAi;
import feedsearch.testing.GeneratedFeed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ingest --embedder openai on a feed of about 2,200 passages: passages of many posts share a
 * request, a few requests are in flight, and a batch that fails fails exactly its posts.
 */
class OpenAiBatchingTest {
    private static final String KEY = "sk-test-key-batching-0042";
    private static final int POSTS = 40;
    private static final Pattern MARKER = Pattern.compile("post-\\d{4}");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path feeds;
    private static Path feed;

    private final FakeOpenAi api = new FakeOpenAi(KEY);
    private String model = "hash-batching";

    @TempDir
    Path dir;

    @BeforeAll
    static void generate() {
        feed = GeneratedFeed.write(feeds.resolve("generated.xml"), POSTS, 9000);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private CommandRun ingest(String key, String... args) {
        IngestCommand command = new IngestCommand();
        command.env = Map.of("OPENAI_BASE_URL", api.baseUrl(), "OPENAI_API_KEY", key);
        List<String> all = new ArrayList<>(List.of("--feed", feed.toString(), "--store-path", dir.resolve("index").toString(),
                "--embedder", "openai", "--model", model, "--openai-max-tries", "2", "--json"));
        all.addAll(List.of(args));
        return CommandRun.of(command, all.toArray(String[]::new));
    }

    /** The embedding requests that carried passages (not the one that learns a new model's dimension). */
    private List<JsonNode> batches() {
        return api.embeddingRequests().stream()
                .filter(r -> !(r.get("input").size() == 1 && r.get("input").get(0).asText().equals("dimension probe")))
                .toList();
    }

    private static Set<String> markers(JsonNode request) {
        Set<String> posts = new TreeSet<>();
        for (JsonNode input : request.get("input")) {
            Matcher m = MARKER.matcher(input.asText());
            assertTrue(m.find(), input.asText());
            posts.add(m.group());
        }
        return posts;
    }

    private static List<JsonNode> lines(CommandRun run, String type) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (String line : run.out().split("\n")) {
            JsonNode node = JSON.readTree(line);
            if (type.equals(node.path("type").asText())) {
                found.add(node);
            }
        }
        return found;
    }

    @Test
    void passagesOfManyPostsShareAFewRequests() throws Exception {
        CommandRun run = ingest(KEY);

        assertEquals(0, run.exitCode(), run.toString());
        JsonNode summary = lines(run, "summary").get(0);
        assertEquals(POSTS, summary.get("added").asInt(), run.out());
        List<JsonNode> batches = batches();
        long passages = batches.stream().mapToLong(r -> r.get("input").size()).sum();
        assertTrue(passages > 2048, "the feed should need three requests, has " + passages + " passages");
        // Posts are packed in feed order, whole, up to 1,024 passages a request.
        int expected = 0;
        int gathered = 0;
        for (JsonNode post : lines(run, "post")) {
            int n = post.get("passages").asInt();
            if (gathered > 0 && gathered + n > 1024) {
                expected++;
                gathered = 0;
            }
            gathered += n;
        }
        expected += gathered > 0 ? 1 : 0;
        assertEquals(expected, batches.size(), "requests for " + passages + " passages");
        assertTrue(batches.size() * 1000 <= 2 * passages, "at most 2 requests per 1,000 passages");
        Set<String> seen = new TreeSet<>();
        for (JsonNode batch : batches) {
            assertTrue(batch.get("input").size() <= 1024, "inputs per request: " + batch.get("input").size());
            for (String post : markers(batch)) {
                assertTrue(seen.add(post), post + " was split between requests");
            }
        }
        assertEquals(POSTS, seen.size());
        long stored = lines(run, "post").stream().mapToLong(p -> p.get("passages").asLong()).sum();
        assertEquals(passages, stored, "every passage sent is stored");
        assertEquals(batches.size() + 1, summary.get("embedding_requests").asInt(), "passages and the dimension probe");
    }

    @Test
    void noMoreRequestsInFlightThanAsked() {
        api.delayingEachRequest(300);

        CommandRun run = ingest(KEY, "--openai-concurrency", "2");

        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(batches().size() >= 3, "requests: " + batches().size());
        assertTrue(api.maxInFlight() <= 2, "in flight at once: " + api.maxInFlight());
        assertEquals(2, api.maxInFlight(), "two requests should have overlapped");
    }

    @Test
    void oneRequestAtATimeWithConcurrencyOne() {
        api.delayingEachRequest(100);

        assertEquals(0, ingest(KEY, "--openai-concurrency", "1").exitCode());
        assertEquals(1, api.maxInFlight());
    }

    @Test
    void aBatchThatFailsAfterItsRetriesFailsExactlyItsPosts() throws Exception {
        api.failingEmbeddingsContaining(GeneratedFeed.marker(POSTS / 2));

        CommandRun run = ingest(KEY);

        assertEquals(1, run.exitCode(), run.toString());
        List<JsonNode> failedRequests = batches().stream()
                .filter(r -> markers(r).contains(GeneratedFeed.marker(POSTS / 2))).toList();
        assertEquals(2, failedRequests.size(), "the batch is tried --openai-max-tries times");
        Set<String> inFailedBatch = markers(failedRequests.get(0));
        assertEquals(inFailedBatch, markers(failedRequests.get(1)), "a retry carries the same posts");

        Set<String> failed = new TreeSet<>();
        Set<String> added = new TreeSet<>();
        for (JsonNode post : lines(run, "post")) {
            Matcher m = MARKER.matcher(post.get("url").asText());
            assertTrue(m.find());
            if (post.get("status").asText().equals("failed")) {
                failed.add(m.group());
                assertTrue(post.get("error").asText().contains("embedding failed") && post.get("error").asText().contains("HTTP 500"),
                        post.toString());
            } else {
                assertEquals("added", post.get("status").asText(), post.toString());
                added.add(m.group());
            }
        }
        assertEquals(inFailedBatch, failed);
        assertEquals(POSTS - failed.size(), added.size());
        assertTrue(failed.size() < POSTS / 2, "one batch of several: " + failed.size());

        JsonNode status = JSON.readTree(CommandRun.of(new IngestCommand(), "status", "--json", "--store-path",
                dir.resolve("index").toString()).out());
        assertEquals(POSTS - failed.size(), status.get("posts").asInt(), status.toString());

        // The failed posts' feed state was not kept: the next run embeds exactly them.
        api.failingEmbeddingsContaining("no such text");
        api.embeddingRequests().clear();
        CommandRun again = ingest(KEY);
        assertEquals(0, again.exitCode(), again.toString());
        JsonNode summary = lines(again, "summary").get(0);
        assertEquals(failed.size(), summary.get("added").asInt(), again.out());
        assertEquals(POSTS - failed.size(), summary.get("unchanged").asInt(), again.out());
        assertEquals(1, batches().size());
    }

    @Test
    void aRefusedKeyStillStopsTheRunWithExitThree() {
        model = "text-embedding-3-small"; // a known dimension: the first request is a batch of passages
        CommandRun run = ingest("sk-wrong-key-31337");

        assertEquals(3, run.exitCode(), run.toString());
        assertTrue(run.err().contains("refused the key (HTTP 401)"), run.err());
        assertFalse(run.toString().contains("31337"));
        assertTrue(batches().get(0).get("input").size() > 1, "the key was refused on a batch of passages");
    }

    @Test
    void concurrencyOutsideOneToThirtyTwoIsAUsageError() {
        for (String n : List.of("0", "33")) {
            CommandRun run = ingest(KEY, "--openai-concurrency", n);
            assertEquals(2, run.exitCode(), run.toString());
            assertTrue(run.err().contains("--openai-concurrency must be between 1 and 32"), run.err());
        }
        assertEquals(0, api.embeddingRequests().size());
    }
}

package feedsearch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import feedsearch.embed.LocalEmbedder;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process HTTP server speaking the OpenAI API's JSON on /v1/embeddings and
 * /v1/chat/completions. Embeddings are real: the local model's vectors, zero-padded to the
 * requested model's dimension, so rankings mean something. Failures can be queued up front, or
 * aimed at every request that carries a given text (so a batch fails through all its retries);
 * each request can be delayed, and the most requests in flight at once is recorded.
 */
public final class FakeOpenAi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalEmbedder MODEL = new LocalEmbedder();

    /** One scripted answer, served instead of the real one. */
    public record Reply(int status, Map<String, String> headers, String body, long delayMillis) {
        public static Reply status(int status, String body) {
            return new Reply(status, Map.of(), body, 0);
        }
    }

    private final HttpServer server;
    private final String key;
    private final Deque<Reply> scripted = new ArrayDeque<>();
    private final List<JsonNode> embeddingRequests = new CopyOnWriteArrayList<>();
    private final List<JsonNode> chatRequests = new CopyOnWriteArrayList<>();
    private volatile String answer = "Build it with a chat platform's bot token [1].";
    private volatile long delayMillis;
    private volatile String failingText;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    /** @param key the API key requests must carry; null to accept any */
    public FakeOpenAi(String key) {
        this.key = key;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-openai");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    public synchronized FakeOpenAi thenReply(Reply reply) {
        scripted.add(reply);
        return this;
    }

    /** Every request is answered this much later, as a remote API would. */
    public FakeOpenAi delayingEachRequest(long millis) {
        delayMillis = millis;
        return this;
    }

    /** Every embeddings request with an input containing {@code text} gets a 500, retries included. */
    public FakeOpenAi failingEmbeddingsContaining(String text) {
        failingText = text;
        return this;
    }

    /** The most requests this server was answering at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    public FakeOpenAi answering(String text) {
        answer = text;
        return this;
    }

    public List<JsonNode> embeddingRequests() {
        return embeddingRequests;
    }

    public List<JsonNode> chatRequests() {
        return chatRequests;
    }

    /**
     * Real vectors (the local model's) for OpenAI's model names and {@code local-*}; cheap
     * deterministic 8-dimension vectors for {@code hash-*} models, for tests of plumbing only.
     */
    public static int dimensionOf(String model) {
        if (model.startsWith("hash-")) {
            return 8;
        }
        return switch (model) {
            case "text-embedding-3-small", "text-embedding-ada-002" -> 1536;
            case "text-embedding-3-large" -> 3072;
            default -> 384;
        };
    }

    /** The vector this server returns for {@code text} under {@code model}. */
    public static float[] vector(String model, String text) {
        if (model.startsWith("hash-")) {
            java.util.Random random = new java.util.Random(text.hashCode());
            float[] v = new float[8];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextFloat() - 0.5f;
            }
            return v;
        }
        float[] local = MODEL.embed(List.of(text)).get(0);
        float[] padded = new float[dimensionOf(model)];
        System.arraycopy(local, 0, padded, 0, local.length);
        return padded;
    }

    private void handle(HttpExchange exchange) throws IOException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        Reply reply;
        try {
            reply = reply(exchange);
        } finally {
            // Counted out before the answer leaves: a client's next request may arrive at once.
            inFlight.decrementAndGet();
        }
        try (exchange) {
            send(exchange, reply);
        }
    }

    private Reply reply(HttpExchange exchange) throws IOException {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        JsonNode request = JSON.readTree(exchange.getRequestBody());
        String path = exchange.getRequestURI().getPath();
        if (path.endsWith("/embeddings")) {
            embeddingRequests.add(request);
        } else if (path.endsWith("/chat/completions")) {
            chatRequests.add(request);
        }
        if (key != null && !("Bearer " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return new Reply(401, Map.of(), error("Incorrect API key provided: sk-****", "invalid_api_key"), 0);
        }
        Reply reply;
        synchronized (this) {
            reply = scripted.poll();
        }
        if (reply != null) {
            return reply;
        }
        String failing = failingText;
        if (failing != null && path.endsWith("/embeddings")) {
            for (JsonNode input : request.path("input")) {
                if (input.asText().contains(failing)) {
                    return Reply.status(500, error("The server had an error while processing your request.", null));
                }
            }
        }
        if (path.endsWith("/embeddings")) {
            return Reply.status(200, embeddings(request));
        } else if (path.endsWith("/chat/completions")) {
            return Reply.status(200, completion(request));
        }
        return Reply.status(404, error("Unknown path " + path, null));
    }

    private static String embeddings(JsonNode request) {
        String model = request.path("model").asText();
        ObjectNode body = JSON.createObjectNode().put("object", "list").put("model", model);
        ArrayNode data = body.putArray("data");
        int tokens = 0;
        List<String> inputs = new ArrayList<>();
        request.path("input").forEach(i -> inputs.add(i.asText()));
        for (int i = 0; i < inputs.size(); i++) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            ArrayNode values = item.putArray("embedding");
            for (float v : vector(model, inputs.get(i))) {
                values.add(v);
            }
            tokens += inputs.get(i).split("\\s+").length;
        }
        body.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        return body.toString();
    }

    private String completion(JsonNode request) {
        ObjectNode body = JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion")
                .put("created", 1_700_000_000).put("model", request.path("model").asText());
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", answer);
        body.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 20).put("total_tokens", 120);
        return body.toString();
    }

    private static String error(String message, String code) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", "invalid_request_error").put("code", code);
        return body.toString();
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        if (reply.delayMillis() > 0) {
            try {
                Thread.sleep(reply.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        } catch (IOException clientGaveUp) {
            // A client that timed out closed the connection first.
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

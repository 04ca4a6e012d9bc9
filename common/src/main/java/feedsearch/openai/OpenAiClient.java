package feedsearch.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.theokanning.openai.client.OpenAiApi;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import io.reactivex.Single;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import retrofit2.HttpException;
import retrofit2.Retrofit;
import retrofit2.adapter.rxjava2.RxJava2CallAdapterFactory;
import retrofit2.converter.jackson.JacksonConverterFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * TheoKanning's openai-java API, wrapped to mend what the archived client lacks: any
 * OpenAI-compatible base URL (it hard-codes OpenAI's), a JSON mapper that works with current
 * Jackson, separate connect and read timeouts,
 * retries with backoff that honour {@code Retry-After}, errors that never show the key, and a
 * shutdown of OkHttp's threads so a cron job's JVM exits at once.
 */
public final class OpenAiClient implements AutoCloseable {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** How retries wait; tests record the waits instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final OpenAiSettings settings;
    private final OkHttpClient http;
    private final OpenAiApi api;
    private final Sleeper sleeper;

    public OpenAiClient(OpenAiSettings settings, Sleeper sleeper) {
        this.settings = settings;
        this.sleeper = sleeper;
        HttpUrl base = HttpUrl.parse(settings.baseUrl().endsWith("/") ? settings.baseUrl() : settings.baseUrl() + "/");
        if (base == null) {
            throw new FeedsearchException(ExitCode.USAGE, "not an http(s) URL for the OpenAI API: " + settings.baseUrl());
        }
        String key = settings.apiKey();
        this.http = new OkHttpClient.Builder()
                .connectTimeout(settings.connectTimeout())
                .readTimeout(settings.readTimeout())
                .addInterceptor(chain -> {
                    Request request = rebase(chain.request(), base);
                    return chain.proceed(key == null ? request : request.newBuilder().header("Authorization", "Bearer " + key).build());
                })
                .build();
        this.api = new Retrofit.Builder()
                .baseUrl(base)
                .client(http)
                .addConverterFactory(JacksonConverterFactory.create(objectMapper()))
                .addCallAdapterFactory(RxJava2CallAdapterFactory.create())
                .build()
                .create(OpenAiApi.class);
    }

    /**
     * The JSON settings of the library's own {@code OpenAiService.defaultObjectMapper()}, which
     * we cannot call: it names {@code PropertyNamingStrategy.SNAKE_CASE}, a constant newer Jackson
     * (which langchain4j needs) no longer has, and fails as the class loads.
     */
    static ObjectMapper objectMapper() {
        return new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .setSerializationInclusion(JsonInclude.Include.NON_NULL)
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    }

    /**
     * The library's paths are absolute ({@code /v1/embeddings}), which would drop any path of the
     * base URL: put them under it instead ({@code <base>/embeddings}).
     */
    static Request rebase(Request request, HttpUrl base) {
        String path = request.url().encodedPath().replaceFirst("^/v1/", "");
        HttpUrl url = base.newBuilder().addEncodedPathSegments(path).encodedQuery(request.url().encodedQuery()).build();
        return request.newBuilder().url(url).build();
    }

    public OpenAiApi api() {
        return api;
    }

    /**
     * Runs a request, retrying 429s, 5xx answers, timeouts and dropped connections with
     * exponential backoff and jitter, or as long as {@code Retry-After} asks.
     *
     * @throws FeedsearchException (exit 3) when the key is refused: retrying cannot help, and
     *                             every other request would fail the same way
     * @throws OpenAiException     when the request failed for good
     */
    public <T> T execute(String what, Supplier<Single<T>> request) {
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            String failure;
            RuntimeException cause;
            try {
                return request.get().blockingGet();
            } catch (HttpException e) {
                int status = e.code();
                if (status == 401 || status == 403) {
                    // The server's message may quote part of the key: say only what happened.
                    throw new FeedsearchException(ExitCode.UNREACHABLE, "the API at " + settings.baseUrl() + " refused the key (HTTP "
                            + status + "): check OPENAI_API_KEY", e);
                }
                failure = what + ": HTTP " + status + errorMessage(e);
                cause = e;
                if (status != 429 && status < 500) {
                    throw new OpenAiException(failure, e);
                }
                wait = retryAfter(e).orElse(null);
            } catch (RuntimeException e) {
                Throwable root = e.getCause() != null ? e.getCause() : e;
                if (root instanceof JsonProcessingException) {
                    throw new OpenAiException(what + ": the API at " + settings.baseUrl() + " answered with malformed JSON ("
                            + root.getClass().getSimpleName() + ")", e);
                }
                if (!(root instanceof IOException)) {
                    throw e;
                }
                failure = what + ": " + describe((IOException) root);
                cause = e;
                wait = null;
            }
            if (attempt >= settings.maxTries()) {
                throw new OpenAiException(failure + " (gave up after " + attempt + " tries)", cause);
            }
            try {
                sleeper.sleep(wait != null ? wait : backoff(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OpenAiException(failure + " (interrupted while waiting to retry)", e);
            }
        }
    }

    static Duration backoff(int attempt) {
        long millis = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << Math.min(attempt - 1, 16));
        // Full jitter over the upper half: many clients that failed together do not retry together.
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    /** {@code Retry-After} as seconds or an HTTP date, capped so a server cannot stall us for long. */
    private static Optional<Duration> retryAfter(HttpException e) {
        String value = e.response() == null ? null : e.response().headers().get("Retry-After");
        if (value == null) {
            return Optional.empty();
        }
        Duration wait;
        try {
            wait = Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
        } catch (NumberFormatException notSeconds) {
            try {
                wait = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException unreadable) {
                return Optional.empty();
            }
        }
        if (wait.isNegative()) {
            wait = Duration.ZERO;
        }
        return Optional.of(wait.compareTo(MAX_BACKOFF.multipliedBy(2)) > 0 ? MAX_BACKOFF.multipliedBy(2) : wait);
    }

    private static String errorMessage(HttpException e) {
        try {
            if (e.response() != null && e.response().errorBody() != null) {
                JsonNode error = new ObjectMapper().readTree(e.response().errorBody().string()).path("error").path("message");
                if (error.isTextual()) {
                    return " (" + error.asText() + ")";
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // The status alone will do.
        }
        return "";
    }

    private String describe(IOException e) {
        if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException) {
            return "no answer from " + settings.baseUrl() + " within " + settings.readTimeout().toSeconds() + "s";
        }
        if (e instanceof ConnectException) {
            return "cannot connect to " + settings.baseUrl();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Stops OkHttp's dispatcher and pooled connections, whose threads would keep a JVM waiting. */
    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}

package feedsearch.openai;

import java.time.Duration;

/**
 * Where an OpenAI-compatible API is and how patiently to talk to it.
 *
 * @param baseUrl  e.g. {@code https://api.openai.com/v1}, or Ollama's {@code http://localhost:11434/v1}
 * @param apiKey   null for servers that need none
 * @param maxTries attempts per request, the first included
 */
public record OpenAiSettings(String baseUrl, String apiKey, Duration connectTimeout, Duration readTimeout, int maxTries) {
    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";
    /** Base URL and key unset: they come from the environment when the settings are resolved. */
    public static final OpenAiSettings DEFAULTS = new OpenAiSettings(null, null, Duration.ofSeconds(10), Duration.ofSeconds(60), 5);

    public OpenAiSettings withApi(String baseUrl, String apiKey) {
        return new OpenAiSettings(baseUrl, apiKey, connectTimeout, readTimeout, maxTries);
    }
}

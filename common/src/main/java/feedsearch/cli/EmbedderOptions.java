package feedsearch.cli;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.config.Settings;
import feedsearch.openai.OpenAiSettings;
import picocli.CommandLine.Option;

import java.time.Duration;

/** Which embedding model, and how to reach the OpenAI-compatible API: shared by both commands. */
public final class EmbedderOptions {
    @Option(names = "--embedder", paramLabel = "local|openai",
            description = "Embedder for a new index: local (in-process ONNX model, the default) or openai "
                    + "(OPENAI_API_KEY; any OpenAI-compatible server with OPENAI_BASE_URL). "
                    + "An existing index keeps its own; query always uses the index's.")
    String embedder;

    @Option(names = "--model", paramLabel = "ID",
            description = "Embedding model (local: all-minilm-l6-v2-q; openai: text-embedding-3-small, "
                    + "text-embedding-3-large, text-embedding-ada-002 or any model the server has).")
    String model;

    @Option(names = "--openai-base-url", paramLabel = "URL",
            description = "OpenAI-compatible API (default: OPENAI_BASE_URL, else https://api.openai.com/v1).")
    String openaiBaseUrl;

    @Option(names = "--openai-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Seconds to wait for one API answer (default: ${DEFAULT-VALUE}).")
    int openaiTimeoutSeconds;

    @Option(names = "--openai-max-tries", paramLabel = "N", defaultValue = "5",
            description = "Tries per API request, retrying 429, 5xx and dropped connections with backoff "
                    + "(default: ${DEFAULT-VALUE}).")
    int openaiMaxTries;

    Settings applyTo(Settings settings) {
        if (openaiTimeoutSeconds < 1 || openaiMaxTries < 1) {
            throw new FeedsearchException(ExitCode.USAGE, "--openai-timeout and --openai-max-tries take positive numbers");
        }
        OpenAiSettings api = OpenAiSettings.DEFAULTS;
        return settings.withEmbedder(embedder, model).withOpenAi(new OpenAiSettings(openaiBaseUrl, null, api.connectTimeout(),
                Duration.ofSeconds(openaiTimeoutSeconds), openaiMaxTries));
    }
}

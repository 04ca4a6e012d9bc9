package feedsearch.cli;

import feedsearch.config.Settings;
import picocli.CommandLine.Option;

/** Which embedding model: shared by every command that embeds. */
public final class EmbedderOptions {
    @Option(names = "--embedder", paramLabel = "NAME",
            description = "Embedder: local (in-process ONNX model, the default for a new index). "
                    + "query uses the index's own embedder unless told otherwise.")
    String embedder;

    @Option(names = "--model", paramLabel = "ID",
            description = "Embedding model (local: all-minilm-l6-v2-q).")
    String model;

    Settings applyTo(Settings settings) {
        return settings.withEmbedder(embedder, model);
    }
}

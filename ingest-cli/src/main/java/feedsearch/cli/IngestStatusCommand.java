package feedsearch.cli;

import feedsearch.store.StoreAccess;
import feedsearch.store.FeedState;
import feedsearch.store.IndexMeta;
import feedsearch.store.StoreStatus;
import feedsearch.store.VectorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;

@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Show the index: engine, embedder, model, dimension, metric, counts, last run per feed.",
        footerHeading = "%nExamples:%n",
        footer = {"  ingest status", "  ingest status --json --index posts", "", FeedsearchCommand.EXIT_CODES, "", FeedsearchCommand.CONFIG})
final class IngestStatusCommand extends FeedsearchCommand {

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Mixin
    StoreOptions storeOptions;

    @Override
    protected int execute() {
        try (VectorStore store = storeOptions.applyTo(baseSettings()).openStore(StoreAccess.READ)) {
            StoreStatus status = store.status();
            IndexMeta meta = status.meta();
            if (meta == null && status.posts() == 0 && status.feeds().isEmpty()) {
                store.requireMeta(); // nothing there (a mistyped --index on Redis): exit 3, as for a local store
            }
            if (json) {
                Json line = Json.object().put("store", status.location()).put("hybrid", store.hasTextIndex()).put("posts", status.posts())
                        .put("passages", status.passages());
                if (meta != null) {
                    line.put("engine", meta.engine()).put("embedder", meta.embedder()).put("model", meta.model())
                            .put("dimension", meta.dimension()).put("metric", meta.metric())
                            .put("algorithm", meta.algorithm()).put("vector_type", meta.vectorType()).put("created", meta.created());
                }
                line.put("feeds", status.feeds().stream().map(f -> Map.of(
                        "feed", f.url(), "last_run", String.valueOf(f.lastRun()), "entries", f.entries())).toList());
                out().println(line.line());
                return 0;
            }
            out().println("store:     " + status.location());
            if (meta != null) {
                out().println("engine:    " + meta.engine() + " (" + meta.algorithm() + ", " + meta.metric() + ", " + meta.vectorType() + ")");
                out().println("embedder:  " + meta.embedder() + "/" + meta.model() + ", " + meta.dimension() + " dimensions");
                out().println("created:   " + meta.created());
            }
            out().println("ranking:   " + (store.hasTextIndex() ? "hybrid (vectors and BM25 over the passages' words)"
                    : "vectors only (no word index: Redis vector sets have none; an older local store or query "
                    + "engine index gets one from 'ingest reindex')"));
            out().println("posts:     " + status.posts());
            out().println("passages:  " + status.passages());
            for (FeedState feed : status.feeds()) {
                out().println("feed:      " + feed.url() + "  last run " + feed.lastRun() + ", " + feed.entries() + " entries");
            }
            return 0;
        }
    }
}

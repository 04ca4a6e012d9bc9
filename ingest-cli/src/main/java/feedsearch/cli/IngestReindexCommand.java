package feedsearch.cli;

import feedsearch.store.StoreAccess;
import feedsearch.store.VectorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "reindex", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Bring an index made by an earlier release up to this one's layout (e.g. the word index "
                + "hybrid ranking needs), from what it stores: nothing is fetched or re-embedded.",
                "An ingest does the same by itself; this is for an index no ingest will run on soon."},
        footerHeading = "%nExamples:%n",
        footer = {"  ingest reindex", "  ingest reindex --index blog", "", FeedsearchCommand.EXIT_CODES, "", FeedsearchCommand.CONFIG})
final class IngestReindexCommand extends FeedsearchCommand {

    @Mixin
    StoreOptions storeOptions;

    @Override
    protected int execute() {
        // Opening for reading first gives a clear error, and creates nothing, when there is no index.
        try (VectorStore reader = storeOptions.applyTo(baseSettings()).openStore(StoreAccess.READ)) {
            reader.requireMeta();
        }
        try (VectorStore store = storeOptions.applyTo(baseSettings()).openStore(StoreAccess.EXCLUSIVE)) {
            out().println(store.upgrade().map(done -> "reindex: " + done)
                    .orElse("reindex: " + store.describe() + " is up to date"));
        }
        return 0;
    }
}

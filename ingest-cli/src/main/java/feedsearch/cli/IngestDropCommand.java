package feedsearch.cli;

import feedsearch.store.LocalStore;
import feedsearch.store.StoreAccess;
import feedsearch.store.VectorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "drop", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Delete the index and every post, passage and feed record in it.",
        footerHeading = "%nExamples:%n",
        footer = {"  ingest drop --yes", "  ingest drop --yes --index test", "", FeedsearchCommand.EXIT_CODES, "", FeedsearchCommand.CONFIG})
final class IngestDropCommand extends FeedsearchCommand {

    @Option(names = "--yes", description = "Really delete it (required).")
    boolean yes;

    @Mixin
    StoreOptions storeOptions;

    @Override
    protected int execute() {
        if (!yes) {
            throw usage("this deletes the whole index; run again with --yes to confirm");
        }
        try {
            // Opening for reading first gives a clear error when there is nothing to drop (on Redis,
            // no meta record: a name mistyped must not report a drop that deleted nothing).
            try (VectorStore reader = storeOptions.applyTo(baseSettings()).openStore(StoreAccess.READ)) {
                reader.requireMeta();
            }
            try (VectorStore store = storeOptions.applyTo(baseSettings()).openStore(StoreAccess.EXCLUSIVE)) {
                String what = store.describe();
                store.drop();
                out().println("dropped " + what);
            }
        } catch (LocalStore.DamagedIndexException damaged) {
            // Nothing can be read from it, so nothing is lost: the one way on is a new store.
            LocalStore.dropDamaged(damaged.path());
            out().println("dropped local store " + damaged.path() + ", which could not be read");
        }
        return 0;
    }
}

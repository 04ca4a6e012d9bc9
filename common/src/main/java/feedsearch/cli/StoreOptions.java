package feedsearch.cli;

import feedsearch.config.Settings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where the index lives: shared by every command. */
public final class StoreOptions {
    @Option(names = "--index", paramLabel = "NAME", defaultValue = Settings.DEFAULT_INDEX,
            description = "Index name (default: ${DEFAULT-VALUE}); also the local store's directory name.")
    String index;

    @Option(names = "--store-path", paramLabel = "DIR",
            description = "Directory of the local store (default: $XDG_DATA_HOME/feedsearch/<index>, "
                    + "or ~/.local/share/feedsearch/<index>).")
    Path storePath;

    Settings applyTo(Settings settings) {
        return settings.withStore(index, storePath);
    }
}

package feedsearch.suite;

import feedsearch.store.LocalStore;
import feedsearch.store.VectorStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalStoreSuiteTest extends IngestAndSearchSuite {
    @TempDir
    Path dir;

    @Override
    protected VectorStore openEmptyStore() {
        return LocalStore.openForWriting(dir.resolve("index"));
    }
}

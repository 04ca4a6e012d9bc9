package feedsearch.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The sample feed shipped in the repository's samples/ folder, which the README ingests. */
public final class SampleFeed {
    private SampleFeed() {
    }

    public static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path feed = dir.resolve("samples").resolve("feed.xml");
            if (Files.isRegularFile(feed)) {
                return feed;
            }
        }
        throw new IllegalStateException("samples/feed.xml not found above " + Path.of("").toAbsolutePath());
    }
}

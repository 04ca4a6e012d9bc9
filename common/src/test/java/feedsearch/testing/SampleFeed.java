package feedsearch.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The sample feed shipped in the repository's samples/ folder, which the README ingests, and its labeled questions. */
public final class SampleFeed {
    private SampleFeed() {
    }

    public static Path path() {
        return inSamples("feed.xml");
    }

    /** Labeled questions for {@code query --eval}, worded unlike the sample posts. */
    public static Path questions() {
        return inSamples("questions.tsv");
    }

    private static Path inSamples(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve("samples").resolve(name);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalStateException("samples/" + name + " not found above " + Path.of("").toAbsolutePath());
    }
}

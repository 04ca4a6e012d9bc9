package feedsearch.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * When each feed of a local store was last found unchanged, in a small file beside the index.
 * A cron run over an unchanged feed learns nothing but that time; saving it in the index was a
 * commit and a new one-document segment every run, a seventh of the run's time. Informational
 * only: an unreadable or damaged file reads as empty, and the index keeps everything else.
 */
final class FeedChecks {
    static final String FILE = "feedsearch-checked.properties";
    private static final String WRITING = FILE + ".tmp";

    private final Path file;

    FeedChecks(Path directory) {
        this.file = directory.resolve(FILE);
    }

    /** Whether a file in a store's directory is this one, or this one being written. */
    static boolean isOurs(String fileName) {
        return fileName.equals(FILE) || fileName.equals(WRITING);
    }

    /** When the feed of this key was last found unchanged, if that was recorded. */
    Optional<Instant> of(String key) {
        String seconds = read().getProperty(key);
        try {
            return seconds == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(Long.parseLong(seconds)));
        } catch (NumberFormatException damaged) {
            return Optional.empty();
        }
    }

    /** Records the time, replacing the file whole; false when it could not be written. */
    boolean record(String key, Instant when) {
        Properties checks = read();
        checks.setProperty(key, Long.toString(when.getEpochSecond()));
        Path writing = file.resolveSibling(WRITING);
        try {
            try (OutputStream out = Files.newOutputStream(writing)) {
                checks.store(out, "when each feed was last found unchanged (epoch seconds); see feedsearch's LocalStore");
            }
            Files.move(writing, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Properties read() {
        Properties checks = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            checks.load(in);
        } catch (NoSuchFileException none) {
            // Nothing recorded yet.
        } catch (IOException | IllegalArgumentException damaged) {
            return new Properties();
        }
        return checks;
    }
}

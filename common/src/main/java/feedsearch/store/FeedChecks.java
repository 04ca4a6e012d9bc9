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
 * only: an unreadable or damaged file reads as empty, and the index keeps everything else. Read
 * once per store opened (a list of a thousand feeds asked it a thousand times); only the store's
 * writer, which holds its lock, changes it.
 */
final class FeedChecks {
    static final String FILE = "feedsearch-checked.properties";
    private static final String WRITING = FILE + ".tmp";

    private final Path file;
    private Properties checks;

    FeedChecks(Path directory) {
        this.file = directory.resolve(FILE);
    }

    /** Whether a file in a store's directory is this one, or this one being written. */
    static boolean isOurs(String fileName) {
        return fileName.equals(FILE) || fileName.equals(WRITING);
    }

    /** When the feed of this key was last found unchanged, if that was recorded. */
    synchronized Optional<Instant> of(String key) {
        String seconds = checks().getProperty(key);
        try {
            return seconds == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(Long.parseLong(seconds)));
        } catch (NumberFormatException damaged) {
            return Optional.empty();
        }
    }

    /** Records the time, replacing the file whole; false when it could not be written. */
    synchronized boolean record(String key, Instant when) {
        Properties all = checks();
        all.setProperty(key, Long.toString(when.getEpochSecond()));
        Path writing = file.resolveSibling(WRITING);
        try {
            try (OutputStream out = Files.newOutputStream(writing)) {
                all.store(out, "when each feed was last found unchanged (epoch seconds); see feedsearch's LocalStore");
            }
            Files.move(writing, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Properties checks() {
        if (checks == null) {
            checks = read();
        }
        return checks;
    }

    private Properties read() {
        Properties all = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            all.load(in);
        } catch (NoSuchFileException none) {
            // Nothing recorded yet.
        } catch (IOException | IllegalArgumentException damaged) {
            return new Properties();
        }
        return all;
    }
}

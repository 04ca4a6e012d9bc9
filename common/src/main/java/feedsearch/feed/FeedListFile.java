package feedsearch.feed;

import feedsearch.FeedsearchException;
import feedsearch.WhyUnreadable;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain list of feeds, as {@code --feeds-file} takes it: UTF-8 text (a byte order mark
 * allowed), one feed URL or path a line; blank lines and lines starting with {@code #} are
 * skipped. Also reads the bytes of any feed list, {@link OpmlFeedList}'s too, up to a limit.
 */
public final class FeedListFile {
    /** Larger than any list of feeds (10,000 feeds is about 2 MB even as OPML); a bigger file is not one. */
    static final int MAX_BYTES = 20 * 1024 * 1024;

    private FeedListFile() {
    }

    /** The feeds the file lists, in its order, as {@link FeedReader#locate} makes them; a line it refuses is named by number. */
    public static List<URI> read(Path file) throws FeedListException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytesOf(file, "a list of feeds"))).toString();
        } catch (CharacterCodingException e) {
            throw new FeedListException("is not UTF-8 text");
        }
        List<URI> feeds = new ArrayList<>();
        String[] lines = text.replaceFirst("^\uFEFF", "").split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String feed = lines[i].strip();
            if (!feed.isEmpty() && !feed.startsWith("#")) {
                try {
                    feeds.add(FeedReader.locate(feed));
                } catch (FeedsearchException e) {
                    throw new FeedListException("line " + (i + 1) + ": " + e.getMessage());
                }
            }
        }
        return feeds;
    }

    /**
     * The whole file, read up to the limit rather than trusting its size: a device or a pipe
     * ({@code /dev/zero}) has none.
     *
     * @param kind what the file should be, for the messages
     */
    static byte[] bytesOf(Path file, String kind) throws FeedListException {
        try {
            if (Files.isDirectory(file)) {
                throw new FeedListException("is a directory, not " + kind);
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
            if (bytes.length > MAX_BYTES) {
                throw new FeedListException("larger than " + MAX_BYTES / (1024 * 1024) + " MiB, not " + kind);
            }
            return bytes;
        } catch (IOException e) {
            throw new FeedListException(WhyUnreadable.of(e));
        }
    }
}

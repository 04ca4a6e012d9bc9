package feedsearch.feed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeedListFileTest {
    @TempDir
    Path dir;

    @Test
    void listsOneFeedALineSkippingCommentsAndBlankLines() throws Exception {
        Path list = dir.resolve("feeds.txt");
        Files.writeString(list, "\uFEFFhttps://a.example/feed.xml\r\n# a comment\r\n\r\n   \n  feeds/local.xml  \n#https://b.example/\n"
                + "https://c.example/atom?x=1#frag");
        assertEquals(List.of(URI.create("https://a.example/feed.xml"), Path.of("feeds/local.xml").toAbsolutePath().toUri(),
                URI.create("https://c.example/atom?x=1#frag")), FeedListFile.read(list));
    }

    /** A list is read whole before anything is fetched: a line no feed can be read from is named by its number. */
    @Test
    void aLineThatIsNoFeedIsNamed() throws IOException {
        Path list = Files.writeString(dir.resolve("feeds.txt"), "# feeds\nhttps://a.example/feed.xml\n\nftp://b.example/feed.xml\n");
        assertEquals("line 4: unsupported feed URL scheme 'ftp' in ftp://b.example/feed.xml (use http, https or a file path)",
                refusal(list));
        Files.writeString(list, "https://a.example/feed.xml\nhttp://bad host/\n");
        assertTrue(refusal(list).startsWith("line 2: not a valid feed URL"), refusal(list));
        Files.writeString(list, "feed\u0000.xml\n");
        assertTrue(refusal(list).startsWith("line 1: not a feed URL nor a file path"), refusal(list));
    }

    @Test
    void whatIsNotAListOfFeedsIsRefusedInOneLine() throws IOException {
        Path latin1 = Files.write(dir.resolve("latin1.txt"), new byte[] {'h', 't', (byte) 0xff, 'p', '\n'});
        assertEquals("is not UTF-8 text", refusal(latin1));
        assertEquals("no such file", refusal(dir.resolve("missing.txt")));
        assertEquals("is a directory, not a list of feeds", refusal(dir));
        Path big = dir.resolve("big.txt");
        Files.write(big, new byte[FeedListFile.MAX_BYTES + 1]);
        assertEquals("larger than 20 MiB, not a list of feeds", refusal(big));
        Path zeros = Path.of("/dev/zero");
        if (Files.isReadable(zeros)) {
            assertEquals("larger than 20 MiB, not a list of feeds", refusal(zeros), "read up to the limit, not to the end");
        }
    }

    private static String refusal(Path file) {
        return assertThrows(FeedListException.class, () -> FeedListFile.read(file)).getMessage();
    }
}

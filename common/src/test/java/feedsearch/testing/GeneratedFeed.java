package feedsearch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A local RSS file of made-up full-content posts (so nothing is fetched), for tests and benchmarks
 * that need many passages. Post {@code n} is titled {@code Generated post-NNNN: ...}, a marker no
 * other post's text contains.
 */
public final class GeneratedFeed {
    private static final String[] WORDS = ("river stone garden window coffee engine summer winter market bread "
            + "music paper light forest signal metal travel letter museum planet harbour morning valley "
            + "kitchen bridge lamp orchard railway theatre compass island meadow ladder blanket violin "
            + "tunnel lantern canvas pepper glacier thunder marble feather anchor cotton").split(" ");

    private GeneratedFeed() {
    }

    public static String marker(int post) {
        return String.format("post-%04d", post);
    }

    /** Writes {@code posts} posts of about {@code words} words each to {@code file}. */
    public static Path write(Path file, int posts, int words) {
        return write(file, posts, words, "generated.example.org");
    }

    /** The same, with links on {@code site}: feeds written for two sites share no post. */
    public static Path write(Path file, int posts, int words, String site) {
        Random random = new Random(posts * 31L + words);
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\n<channel>\n"
                + "<title>Generated</title><link>https://" + site + "/</link><description>made up</description>\n");
        for (int n = 1; n <= posts; n++) {
            String link = "https://" + site + "/" + marker(n) + "/";
            xml.append("<item><title>Generated ").append(marker(n)).append(": notes</title><link>").append(link)
                    .append("</link><guid>").append(link).append("</guid>")
                    .append("<pubDate>Mon, 08 Jan 2024 09:00:00 +0000</pubDate><content:encoded><![CDATA[");
            int written = 0;
            while (written < words) {
                xml.append("<p>");
                for (int i = 0; i < 60 && written < words; i++, written++) {
                    xml.append(WORDS[random.nextInt(WORDS.length)]).append(i % 12 == 11 ? ". " : " ");
                }
                xml.append("</p>");
            }
            xml.append("]]></content:encoded></item>\n");
        }
        xml.append("</channel>\n</rss>\n");
        try {
            Files.writeString(file, xml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}

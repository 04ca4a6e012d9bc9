package feedsearch.search;

import feedsearch.feed.FeedReader;
import feedsearch.ingest.IngestOptions;
import feedsearch.ingest.PostStatus;
import feedsearch.store.LocalStore;
import feedsearch.store.SearchFilter;
import feedsearch.testing.CountingEmbedder;
import feedsearch.testing.SampleFeed;
import feedsearch.testing.TestIngest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Words and meaning ranked together on the local store: the sample's 12 posts plus one about
 * something else entirely that happens to name a rare word, in a feed of its own.
 */
class HybridSearchTest {
    private static final CountingEmbedder EMBEDDER = new CountingEmbedder();
    private static final String RARE = "Thibodeaux";
    private static final String FENCE_URL = "https://other.example.org/2024/03/fence/";

    @TempDir
    Path dir;
    private LocalStore store;

    @BeforeEach
    void ingest() throws IOException {
        store = LocalStore.openForWriting(dir.resolve("index"));
        TestIngest.sample(store, EMBEDDER);
        String words = "We sanded the old boards, filled the cracks and gave the fence two coats of a dark stain. "
                .repeat(12);
        Path feed = dir.resolve("other.xml");
        Files.writeString(feed, """
                <rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Other</title>
                <item><title>Repainting the garden fence</title><link>%s</link><pubDate>Mon, 04 Mar 2024 10:00:00 GMT</pubDate>
                <content:encoded><![CDATA[<p>%s</p><p>The sprayer stopped twice; %s at the shop said it was the filter.</p>]]></content:encoded>
                </item></channel></rss>""".formatted(FENCE_URL, words, RARE));
        TestIngest.feed(store, EMBEDDER, FeedReader.locate(feed.toString()), "other", IngestOptions.DEFAULTS);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<Hit> search(String question, SearchFilter filter, Searcher.Mode mode) {
        return new Searcher(store, store.requireMeta(), EMBEDDER).search(question, 5, filter, -1, mode);
    }

    @Test
    void aRareWordFindsItsPostOnlyWhenWordsCount() {
        // The name is all the question shares with the fence post; its other word leads the vectors to bread.
        String question = RARE + " bread";
        List<Hit> byVector = search(question, SearchFilter.NONE, Searcher.Mode.VECTOR);
        List<Hit> hybrid = search(question, SearchFilter.NONE, Searcher.Mode.HYBRID);
        System.out.println("vector: " + byVector.get(0).url() + "; hybrid: " + hybrid.get(0).url() + " (vector rank "
                + hybrid.get(0).vectorRank() + ", text rank " + hybrid.get(0).textRank() + ")");

        assertFalse(byVector.get(0).url().equals(FENCE_URL), "a name means nothing to the vectors: " + byVector);
        assertEquals(FENCE_URL, hybrid.get(0).url());
        assertEquals(1, hybrid.get(0).textRank());
        assertTrue(hybrid.get(0).score() > -1 && hybrid.get(0).score() < 1, "the shown score is still a cosine");
    }

    @Test
    void aQuestionWordedUnlikeItsPostIsStillFoundByMeaning() {
        List<Hit> hits = search("repair a punctured inner tube on my bike", SearchFilter.NONE, Searcher.Mode.HYBRID);
        assertTrue(hits.get(0).url().contains("roadside-flat-tyre"), hits.toString());
        assertEquals(1, hits.get(0).vectorRank(), hits.toString());
    }

    @Test
    void filtersApplyToEveryRanking() {
        for (Searcher.Mode mode : Searcher.Mode.values()) {
            List<Hit> sampleOnly = search(RARE + " fence stain", new SearchFilter("sample", null), mode);
            assertTrue(sampleOnly.stream().allMatch(h -> h.feed().equals("sample")), mode + ": " + sampleOnly);
            List<Hit> recent = search(RARE + " fence stain", new SearchFilter(null, Instant.parse("2024-06-01T00:00:00Z")), mode);
            assertTrue(recent.stream().noneMatch(h -> h.url().equals(FENCE_URL)), mode + ": " + recent);
        }
        List<Hit> other = search("how do I build a bot", new SearchFilter("other", null), Searcher.Mode.HYBRID);
        assertEquals(List.of(FENCE_URL), other.stream().map(Hit::url).toList());
    }

    @Test
    void aStoreFromTheReleaseBeforeIsUpgradedWithoutReembedding() throws Exception {
        Path old = dir.resolve("v1");
        Path fixture = Path.of(getClass().getResource("/stores/v1-sample").toURI());
        Files.createDirectories(old);
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().endsWith(".txt")).toList()) {
                Files.copy(f, old.resolve(f.getFileName()));
            }
        }
        try (LocalStore v1 = LocalStore.openForWriting(old)) {
            assertFalse(v1.hasTextIndex());
            EMBEDDER.reset();
            assertEquals("indexed the words of 22 passages for hybrid search, from their stored text (nothing re-embedded)",
                    v1.upgrade().orElseThrow());
            assertTrue(v1.hasTextIndex());
            assertTrue(v1.upgrade().isEmpty(), "once is enough");
            assertEquals(12, TestIngest.sample(v1, EMBEDDER).count(PostStatus.UNCHANGED));
            assertEquals(0, EMBEDDER.calls(), "nothing was embedded");

            List<Hit> hits = new Searcher(v1, v1.requireMeta(), EMBEDDER).search("sourdough starter", 3, SearchFilter.NONE, -1);
            assertTrue(hits.get(0).url().contains("sourdough-from-scratch") && hits.get(0).textRank() == 1, hits.toString());
            assertEquals(12, v1.status().posts());
            assertEquals(22, v1.status().passages());
        }
    }
}

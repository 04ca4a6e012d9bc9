package feedsearch.store;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.embed.LocalEmbedder;
import feedsearch.testing.TestIngest;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalStoreTest {
    @TempDir
    Path dir;

    /**
     * The store ranks posts in one pass, reading only post ids until it has them: the same posts,
     * passages and scores as asking it for ever more passages, for words and for vectors, with and
     * without a filter, on the exact and on the HNSW path.
     */
    @Test
    void postRankingsAgreeWithAskingForMorePassages() {
        LocalEmbedder model = new LocalEmbedder();
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            TestIngest.sample(store, model);
        }
        List<String> questions = List.of("how do I build a bot", "sourdough starter", "the", "tyre puncture repair kit");
        for (LocalStore store : List.of(LocalStore.openForReading(dir), LocalStore.openForReading(dir, 0))) {
            try (store) {
                for (String question : questions) {
                    float[] vector = model.embed(List.of(question)).get(0);
                    for (SearchFilter filter : List.of(SearchFilter.NONE, new SearchFilter("sample", Instant.parse("2024-05-01T00:00:00Z")))) {
                        for (int posts : List.of(1, 5, 30)) {
                            assertEquals(BestPerPost.select(posts, BestPerPost.firstAsk(posts), n -> store.nearest(vector, n, filter),
                                    PassageMatch::postId), store.nearestPosts(vector, posts, filter), question);
                            assertEquals(BestPerPost.select(posts, BestPerPost.firstAsk(posts), n -> store.textMatches(question, n, filter),
                                    PassageMatch::postId), store.textPosts(question, posts, filter), question);
                        }
                    }
                }
            }
        }
    }

    private static float[] unit(int dims, int axis) {
        float[] v = new float[dims];
        v[axis] = 1f;
        return v;
    }

    private static PostRecord post(String id, int chunks) {
        return new PostRecord(id, "https://x.example/" + id, "Title " + id, "feed-a",
                Instant.parse("2024-01-01T00:00:00Z"), "hash-" + chunks, chunks, Instant.now());
    }

    private static List<StoredPassage> passages(int n, int axis) {
        List<StoredPassage> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new StoredPassage(i, "passage " + i, unit(4, axis)));
        }
        return list;
    }

    @Test
    void replacingAPostLeavesNoOldPassages() {
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare("local", "m", 4);
            store.replacePost(post("p1", 5), passages(5, 0));
            store.replacePost(post("p2", 2), passages(2, 1));
            assertEquals(7, store.status().passages());

            store.replacePost(post("p1", 2), passages(2, 0));

            assertEquals(4, store.status().passages());
            assertEquals(2, store.status().posts());
            assertEquals(2, store.post("p1").orElseThrow().chunks());
            List<PassageMatch> p1 = store.nearest(unit(4, 0), 10, SearchFilter.NONE).stream()
                    .filter(m -> m.postId().equals("p1")).toList();
            assertEquals(2, p1.size());
            assertEquals(1.0, p1.get(0).score(), 1e-6);
        }
    }

    @Test
    void postsWrittenTogetherAreCommittedOnReturnAndARefusedOneKeepsItsOldVersion() {
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare("local", "m", 4);
            store.replacePost(post("p2", 2), passages(2, 1));
            // A feed name of 40,000 characters is a term beyond Lucene's limit: that post alone is refused.
            PostRecord refused = new PostRecord("p2", "https://x.example/p2", "Title p2", "f".repeat(40_000),
                    null, "hash-5", 5, Instant.now());

            List<IllegalArgumentException> refusals = store.replacePosts(List.of(
                    new PostWrite(post("p1", 3), passages(3, 0)),
                    new PostWrite(refused, passages(5, 1)),
                    new PostWrite(post("p3", 1), passages(1, 2))));

            assertEquals(3, refusals.size());
            assertNull(refusals.get(0));
            assertNotNull(refusals.get(1));
            assertNull(refusals.get(2));
            // A reader sees only commits: the writer is still open, so what it sees is durable.
            try (LocalStore reader = LocalStore.openForReading(dir)) {
                assertEquals(3, reader.status().posts());
                assertEquals(6, reader.status().passages());
                assertEquals(2, reader.post("p2").orElseThrow().chunks());
            }
        }
    }

    @Test
    void writesSurviveReopeningAndReadersSeeThem() {
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare("local", "m", 4);
            store.replacePost(post("p1", 1), passages(1, 2));
        }
        try (LocalStore reader = LocalStore.openForReading(dir)) {
            assertEquals("m", reader.meta().orElseThrow().model());
            assertEquals(1, reader.nearest(unit(4, 2), 5, SearchFilter.NONE).size());
        }
    }

    @Test
    void anotherModelIsRefusedWithTheFix() {
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare("local", "m", 4);
            assertEquals("m", store.prepare("local", "m", 4).model());

            FeedsearchException e = assertThrows(FeedsearchException.class, () -> store.prepare("openai", "big", 1536));

            assertEquals(ExitCode.INCOMPATIBLE_INDEX, e.exitCode());
            assertTrue(e.getMessage().contains("holds local/m vectors") && e.getMessage().contains("--embedder local --model m"),
                    e.getMessage());
        }
    }

    /** A feed found unchanged has its time recorded beside the index: no commit, no segment; anything else is committed. */
    @Test
    void anUnchangedFeedsTimeIsKeptBesideTheIndex() throws Exception {
        Path path = dir.resolve("checks");
        Instant first = Instant.parse("2026-01-01T00:00:00Z");
        Instant later = first.plusSeconds(1800);
        try (LocalStore store = LocalStore.openForWriting(path)) {
            store.prepare("local", "m", 3);
            store.saveFeedState(new FeedState("https://a.example/feed", "\"v1\"", null, first, 12));
            long generation = commitGeneration(path);

            store.saveFeedState(new FeedState("https://a.example/feed", "\"v1\"", null, later, 12));
            assertEquals(generation, commitGeneration(path), "no commit");
            assertEquals(later, store.feedState("https://a.example/feed").orElseThrow().lastRun());
            assertEquals(later, store.status().feeds().get(0).lastRun());

            store.saveFeedState(new FeedState("https://a.example/feed", "\"v2\"", null, later.plusSeconds(60), 13));
            assertTrue(commitGeneration(path) > generation, "new validators are committed");
            FeedState changed = store.feedState("https://a.example/feed").orElseThrow();
            assertEquals("\"v2\"", changed.etag());
            assertEquals(later.plusSeconds(60), changed.lastRun());
        }
        try (LocalStore reader = LocalStore.openForReading(path)) {
            assertEquals(later.plusSeconds(60), reader.feedState("https://a.example/feed").orElseThrow().lastRun());
        }
        // The file is the store's own: a damaged one reads as nothing recorded, and drop removes it.
        Files.writeString(path.resolve(FeedChecks.FILE), "\u0000garbage=\\u12");
        try (LocalStore store = LocalStore.openForWriting(path)) {
            assertEquals(later.plusSeconds(60), store.feedState("https://a.example/feed").orElseThrow().lastRun());
            store.drop();
        }
        assertFalse(Files.exists(path), "dropped whole, the file beside the index too");
    }

    private static long commitGeneration(Path path) throws java.io.IOException {
        try (FSDirectory directory = FSDirectory.open(path)) {
            return SegmentInfos.getLastCommitGeneration(directory);
        }
    }

    /** A value no cosine can use fails its post, named as it was sent. */
    @Test
    void nonFiniteValuesAreRefusedByName() {
        try (LocalStore store = LocalStore.openForWriting(dir.resolve("finite"))) {
            store.prepare("local", "m", 3);
            List<PostWrite> writes = new ArrayList<>();
            float[][] vectors = {{1, Float.NaN, 0}, {0, 0, Float.NEGATIVE_INFINITY}, {1, 0, 0}};
            for (int i = 0; i < vectors.length; i++) {
                writes.add(new PostWrite(new PostRecord("f" + i, "https://x.example/f" + i, "F" + i, "vectors",
                        Instant.parse("2024-01-01T00:00:00Z"), "hash", 1, Instant.now()), List.of(new StoredPassage(0, "p", vectors[i]))));
            }
            List<IllegalArgumentException> refused = store.replacePosts(writes);
            assertEquals("non-finite value at vector[1]=NaN", refused.get(0).getMessage());
            assertEquals("non-finite value at vector[2]=-Infinity", refused.get(1).getMessage());
            assertNull(refused.get(2));
            assertEquals(1, store.status().posts());
        }
    }

    /**
     * Scores are cosines whatever length the vectors come in (an OpenAI-compatible server need
     * not scale them to 1), a zero vector included, on the exact and on the HNSW path; in a new
     * store and in one from a release that compared with Lucene's COSINE, which keeps it and
     * refuses a zero vector (its cosine is NaN there) as that post's failure.
     */
    @Test
    void scoresAreCosinesWhateverTheVectorsLength() throws Exception {
        Path old = dir.resolve("v1");
        Files.createDirectories(old);
        Path fixture = Path.of(getClass().getResource("/stores/v1-sample").toURI());
        try (var files = Files.list(fixture)) {
            for (Path f : files.filter(f -> !f.getFileName().toString().endsWith(".txt")).toList()) {
                Files.copy(f, old.resolve(f.getFileName()));
            }
        }
        Path fresh = dir.resolve("new");
        // The last two square past float's range, one way or the other: still cosines, not NaN or 0.
        float[][] vectors = {{2, 2, 0}, {0.3f, 0, 0.4f}, {0, 0, 0}, {-1, 0.1f, 0}, {4e20f, 0, 3e20f}, {1e-30f, 2e-30f, 2e-30f}};
        double[] cosines = {Math.sqrt(0.5), 0.6, 0, -1 / Math.sqrt(1.01), 0.8, 1.0 / 3};
        for (Path store : List.of(fresh, old)) {
            int dims = store == old ? 384 : 3;
            try (LocalStore writer = LocalStore.openForWriting(store)) {
                writer.prepare("local", store == old ? LocalEmbedder.MODEL_ID : "m", dims);
                List<PostWrite> writes = new ArrayList<>();
                for (int i = 0; i < vectors.length; i++) {
                    StoredPassage p = new StoredPassage(0, "passage " + i, Arrays.copyOf(vectors[i], dims));
                    writes.add(new PostWrite(new PostRecord("v" + i, "https://x.example/v" + i, "Vector " + i, "vectors",
                            Instant.parse("2024-01-01T00:00:00Z"), "hash", 1, Instant.now()), List.of(p)));
                }
                List<IllegalArgumentException> refused = writer.replacePosts(writes);
                assertEquals(store == old ? List.of(false, false, true, false, false, false) : List.of(false, false, false, false, false, false),
                        refused.stream().map(e -> e != null).toList(), store.toString());
            }
            List<String> expected = store == old ? List.of("v4", "v0", "v1", "v5", "v3") : List.of("v4", "v0", "v1", "v5", "v2", "v3");
            for (LocalStore reader : List.of(LocalStore.openForReading(store), LocalStore.openForReading(store, 0))) {
                try (reader) {
                    // The same question at three lengths, two of them past float's range when squared.
                    for (float length : new float[] {5, 3e20f, 1e-30f}) {
                        List<PassageMatch> found = reader.nearest(Arrays.copyOf(new float[] {length, 0, 0}, dims), 40,
                                new SearchFilter("vectors", null));
                        assertEquals(expected, found.stream().map(PassageMatch::postId).toList(), store + " " + length);
                        for (PassageMatch match : found) {
                            assertEquals(cosines[Integer.parseInt(match.postId().substring(1))], match.score(), 1e-6,
                                    store + " " + length + " " + match.postId());
                        }
                    }
                }
            }
        }
    }

    @Test
    void openAiSizedVectorsFitAndReadBack() {
        try (LocalStore store = LocalStore.openForWriting(dir)) {
            store.prepare("openai", "text-embedding-3-large", 3072);
            store.replacePost(post("p1", 1), List.of(new StoredPassage(0, "big", unit(3072, 7))));
        }
        try (LocalStore reader = LocalStore.openForReading(dir)) {
            assertEquals(1.0, reader.nearest(unit(3072, 7), 1, SearchFilter.NONE).get(0).score(), 1e-6);
        }
    }

    @Test
    void aSecondWriterIsLockedOut() {
        try (LocalStore ignored = LocalStore.openForWriting(dir)) {
            FeedsearchException e = assertThrows(FeedsearchException.class, () -> LocalStore.openForWriting(dir));
            assertEquals(ExitCode.LOCKED, e.exitCode());
            assertTrue(e.getMessage().contains("is locked"), e.getMessage());
        }
    }

    @Test
    void readingAMissingStoreSaysRunIngestFirst() {
        FeedsearchException e = assertThrows(FeedsearchException.class, () -> LocalStore.openForReading(dir.resolve("none")));
        assertEquals(ExitCode.UNREACHABLE, e.exitCode());
        assertTrue(e.getMessage().contains("run ingest first"), e.getMessage());
    }

    @Test
    void dropRemovesEverything() {
        Path index = dir.resolve("index");
        try (LocalStore store = LocalStore.openForWriting(index)) {
            store.prepare("local", "m", 4);
            store.replacePost(post("p1", 1), passages(1, 0));
            store.drop();
        }
        assertFalse(Files.exists(index));
    }
}

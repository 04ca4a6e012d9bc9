package feedsearch.bench;

import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.testing.GeneratedFeed;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Helpers of scripts/bench-throughput.sh. Not a test.
 *
 * <pre>
 * ThroughputBench model STORE_DIR   embeds the passages a local store holds, read back as the
 *                                    pipeline embedded them (title + "\n\n" + passage), with the
 *                                    local model alone, in calls of up to 64 passages that never
 *                                    split a post (as EmbeddingBatcher gathers them), one at a time
 * ThroughputBench feed FILE POSTS WORDS   writes a generated full-content feed
 * </pre>
 */
public final class ThroughputBench {
    /** As Ingester cuts the title it puts in front of each passage. */
    private static final int TITLE_CHARS = 150;

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("feed")) {
            GeneratedFeed.write(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        if (args.length == 3 && args[0].equals("store")) {
            store(readPosts(Path.of(args[1])), Path.of(args[2]));
            return;
        }
        if (args.length != 2 || !args[0].equals("model")) {
            throw new IllegalArgumentException("usage: model STORE_DIR | feed FILE POSTS WORDS");
        }
        List<List<String>> posts = readPosts(Path.of(args[1]));
        Embedder embedder = new LocalEmbedder();
        int batchInputs = Math.max(1, embedder.batchInputs());
        List<List<String>> batches = new ArrayList<>();
        List<String> gathering = new ArrayList<>();
        for (List<String> post : posts) {
            if (!gathering.isEmpty() && gathering.size() + post.size() > batchInputs) {
                batches.add(gathering);
                gathering = new ArrayList<>();
            }
            gathering.addAll(post);
            if (gathering.size() >= batchInputs) {
                batches.add(gathering);
                gathering = new ArrayList<>();
            }
        }
        if (!gathering.isEmpty()) {
            batches.add(gathering);
        }
        long t0 = System.nanoTime();
        embedder.embed(List.of("load the model")); // model load and ONNX session set-up, not counted below
        double load = (System.nanoTime() - t0) / 1e9;
        int passages = 0;
        long t1 = System.nanoTime();
        for (List<String> batch : batches) {
            if (embedder.embed(batch).size() != batch.size()) {
                throw new IllegalStateException("wrong number of vectors");
            }
            passages += batch.size();
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        System.out.printf("model %d %d %.3f %.3f%n", passages, batches.size(), seconds, load);
    }

    /** Writes the same posts into a new local store with made-up vectors, one post per replacePost (a commit each). */
    private static void store(List<List<String>> posts, Path out) {
        java.util.Random random = new java.util.Random(1);
        int passages = 0;
        long t0 = System.nanoTime();
        try (feedsearch.store.LocalStore store = feedsearch.store.LocalStore.openForWriting(out)) {
            store.prepare(LocalEmbedder.NAME, LocalEmbedder.MODEL_ID, 384);
            int n = 0;
            for (List<String> post : posts) {
                List<feedsearch.store.StoredPassage> stored = new ArrayList<>();
                for (String input : post) {
                    float[] v = new float[384];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) random.nextGaussian();
                    }
                    stored.add(new feedsearch.store.StoredPassage(stored.size(), input.substring(input.indexOf("\n\n") + 2), v));
                }
                String id = "bench-" + n++;
                String title = post.get(0).substring(0, post.get(0).indexOf("\n\n"));
                store.post(id);
                store.replacePost(new feedsearch.store.PostRecord(id, "http://127.0.0.1/" + id, title, "bench", null,
                        "hash", stored.size(), java.time.Instant.now()), stored);
                passages += stored.size();
            }
        }
        System.out.printf("store %d %d %.3f%n", passages, posts.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Each post's embedded inputs, in chunk order; posts in index order (the order they were written). */
    private static List<List<String>> readPosts(Path store) throws Exception {
        Map<String, TreeMap<Integer, String>> byPost = new LinkedHashMap<>();
        try (Directory dir = FSDirectory.open(store); DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            ScoreDoc[] hits = searcher.search(new TermQuery(new Term("kind", "passage")), Integer.MAX_VALUE).scoreDocs;
            java.util.Arrays.sort(hits, (a, b) -> Integer.compare(a.doc, b.doc));
            StoredFields fields = reader.storedFields();
            for (ScoreDoc hit : hits) {
                Document d = fields.document(hit.doc);
                String title = d.get("title");
                if (title.length() > TITLE_CHARS) {
                    title = title.substring(0, TITLE_CHARS);
                }
                byPost.computeIfAbsent(d.get("post_id"), k -> new TreeMap<>())
                        .put(d.getField("chunk").numericValue().intValue(), title + "\n\n" + d.get("text"));
            }
        }
        List<List<String>> posts = new ArrayList<>();
        for (TreeMap<Integer, String> post : byPost.values()) {
            posts.add(new ArrayList<>(post.values()));
        }
        return posts;
    }
}

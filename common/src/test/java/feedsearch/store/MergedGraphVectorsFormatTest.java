package feedsearch.store;

import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.hnsw.HnswGraphProvider;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flushed segments carry flat vectors, merged ones the HNSW graph; a graph search finds the nearest in both. */
class MergedGraphVectorsFormatTest {
    private static final String FIELD = "embedding";
    private static final int DIMS = 32;

    @TempDir
    Path dir;

    private final Random random = new Random(10);
    private final List<float[]> written = new ArrayList<>();

    @Test
    void flushedSegmentsHaveNoGraphAndAreSearchedExactly() throws IOException {
        try (Directory directory = FSDirectory.open(dir)) {
            try (IndexWriter writer = new IndexWriter(directory, config(new StoreCodec()))) {
                for (int commit = 0; commit < 3; commit++) {
                    addVectors(writer, 200);
                    writer.commit();
                }
                writer.deleteDocuments(new Term("id", "7"));
                writer.commit();
            }
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertEquals(3, reader.leaves().size());
                for (LeafReaderContext leaf : reader.leaves()) {
                    assertFalse(vectorReader(leaf) instanceof HnswGraphProvider, "a flushed segment built a graph");
                }
                assertFindsTheNearest(reader, 7);
            }
        }
    }

    @Test
    void mergedSegmentsGetTheGraph() throws IOException {
        try (Directory directory = FSDirectory.open(dir)) {
            try (IndexWriter writer = new IndexWriter(directory, config(new StoreCodec()))) {
                for (int commit = 0; commit < 4; commit++) {
                    addVectors(writer, 150);
                    writer.commit();
                }
                writer.deleteDocuments(new Term("id", "3"));
                writer.commit();
            }
            forceMerge(directory);
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertEquals(1, reader.leaves().size());
                assertTrue(vectorReader(reader.leaves().get(0)) instanceof HnswGraphProvider, "a merged segment has no graph");
                assertFindsTheNearest(reader, 3);
            }
        }
    }

    /** A store written before this format: its segments name Lucene's HNSW format, and merge with the new ones. */
    @Test
    void segmentsOfLucenesOwnFormatStayReadableAndMerge() throws IOException {
        try (Directory directory = FSDirectory.open(dir)) {
            try (IndexWriter writer = new IndexWriter(directory, config(new Lucene912Codec()))) {
                addVectors(writer, 300);
                writer.commit();
            }
            try (IndexWriter writer = new IndexWriter(directory, config(new StoreCodec()))) {
                addVectors(writer, 300);
                writer.commit();
            }
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertEquals(List.of(true, false), reader.leaves().stream().map(l -> vectorReader(l) instanceof HnswGraphProvider).toList());
                assertFindsTheNearest(reader, -1);
            }
            forceMerge(directory);
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertTrue(vectorReader(reader.leaves().get(0)) instanceof HnswGraphProvider);
                assertFindsTheNearest(reader, -1);
            }
        }
    }

    @Test
    void vectorsOfOpenAisSizesAreAccepted() throws IOException {
        try (Directory directory = FSDirectory.open(dir);
             IndexWriter writer = new IndexWriter(directory, config(new StoreCodec()))) {
            Document doc = new Document();
            doc.add(new KnnFloatVectorField(FIELD, unit(3072), VectorSimilarityFunction.DOT_PRODUCT));
            writer.addDocument(doc);
            writer.commit();
            assertEquals(1, writer.getDocStats().numDocs);
        }
    }

    private static IndexWriterConfig config(org.apache.lucene.codecs.Codec codec) {
        // Merges only when a test asks: what a segment holds depends on how it was written.
        return new IndexWriterConfig().setCodec(codec).setMergePolicy(NoMergePolicy.INSTANCE).setUseCompoundFile(true);
    }

    private static void forceMerge(Directory directory) throws IOException {
        try (IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig().setCodec(new StoreCodec()))) {
            writer.forceMerge(1);
            writer.commit();
        }
    }

    /** Passages among documents without a vector, as the store's post records are: vector ords and doc ids differ. */
    private void addVectors(IndexWriter writer, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            if (i % 3 == 0) {
                Document record = new Document();
                record.add(new StringField("kind", "record", Field.Store.NO));
                writer.addDocument(record);
            }
            Document doc = new Document();
            doc.add(new StringField("id", Integer.toString(written.size()), Field.Store.YES));
            doc.add(new StringField("parity", written.size() % 2 == 0 ? "even" : "odd", Field.Store.NO));
            float[] vector = unit(DIMS);
            doc.add(new KnnFloatVectorField(FIELD, vector, VectorSimilarityFunction.DOT_PRODUCT));
            writer.addDocument(doc);
            written.add(vector);
        }
    }

    private float[] unit(int dims) {
        float[] v = new float[dims];
        double norm = 0;
        for (int d = 0; d < dims; d++) {
            v[d] = (float) random.nextGaussian();
            norm += v[d] * v[d];
        }
        for (int d = 0; d < dims; d++) {
            v[d] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    /**
     * For questions near stored vectors, the graph search's ten equal the ten nearest computed
     * here, without a filter and with one (even ids only).
     */
    private void assertFindsTheNearest(DirectoryReader reader, int deleted) throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        for (int q = 0; q < 20; q++) {
            // First the deleted passage's own vector: it must not come back.
            float[] question = written.get(q == 0 && deleted >= 0 ? deleted : random.nextInt(written.size()));
            boolean evenOnly = q % 2 == 1;
            int[] expected = IntStream.range(0, written.size()).filter(i -> i != deleted && (!evenOnly || i % 2 == 0)).boxed()
                    .sorted(Comparator.comparingDouble(i -> -dot(question, written.get(i))))
                    .limit(10).mapToInt(Integer::intValue).toArray();
            KnnFloatVectorQuery nearest = evenOnly
                    ? new KnnFloatVectorQuery(FIELD, question, 100, new TermQuery(new Term("parity", "even")))
                    : new KnnFloatVectorQuery(FIELD, question, 100);
            ScoreDoc[] hits = searcher.search(nearest, 10).scoreDocs;
            int[] found = new int[hits.length];
            for (int h = 0; h < hits.length; h++) {
                found[h] = Integer.parseInt(searcher.storedFields().document(hits[h].doc).get("id"));
            }
            assertArrayEquals(expected, found, "question " + q + ": " + Arrays.toString(found));
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static KnnVectorsReader vectorReader(LeafReaderContext leaf) {
        KnnVectorsReader perField = ((CodecReader) leaf.reader()).getVectorReader();
        return ((PerFieldKnnVectorsFormat.FieldsReader) perField).getFieldReader(FIELD);
    }
}

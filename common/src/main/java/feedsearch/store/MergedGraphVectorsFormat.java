package feedsearch.store;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.hnsw.FlatVectorsReader;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

import java.io.IOException;

/**
 * Lucene's HNSW vectors, with the graph built only when segments merge. Each ingest commit
 * flushes a segment of at most about a thousand passages, and Lucene 9.12 builds a graph for
 * every segment as its vectors arrive: about 0.9 of the 4.5 CPU-seconds a first ingest of a blog
 * spends beside the model, for graphs no search of a store that small uses (it scores every
 * passage, {@link LocalStore#EXACT_SEARCH_LIMIT}). Flushed segments keep flat vectors, which a
 * graph search scores one by one; segments made by a merge (Lucene's policy merges about ten
 * similar segments at a time; also forceMerge and addIndexes) get the standard graph, so a store
 * past the exact-search limit still searches mostly by graph.
 * <p>
 * The files are Lucene's own (flat vectors, plus the graph's in merged segments); which a
 * segment has is a segment attribute. Indexes that name this format need it on the class path
 * (META-INF/services), as every feedsearch jar has it. {@link #getMaxDimensions} allows
 * OpenAI's 1536- and 3072-dimension embeddings.
 */
public final class MergedGraphVectorsFormat extends KnnVectorsFormat {
    /** Written into every segment of the indexes this format writes: never change it. */
    static final String NAME = "FeedsearchMergedGraph";
    static final int MAX_DIMENSIONS = 4096;
    private static final String GRAPH_ATTRIBUTE = NAME + ".graph";

    private final FlatVectorsFormat flat = new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());
    private final KnnVectorsFormat graph = new Lucene99HnswVectorsFormat();

    /** For Lucene's service loader, which finds the format by name when it reads a segment. */
    public MergedGraphVectorsFormat() {
        super(NAME);
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        if (state.context.context == IOContext.Context.MERGE) {
            state.segmentInfo.putAttribute(graphKey(state.segmentSuffix), "true");
            return graph.fieldsWriter(state);
        }
        return flat.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        if ("true".equals(state.segmentInfo.getAttribute(graphKey(state.segmentSuffix)))) {
            return graph.fieldsReader(state);
        }
        return new ScannedVectors(flat.fieldsReader(state));
    }

    private static String graphKey(String segmentSuffix) {
        return GRAPH_ATTRIBUTE + "." + segmentSuffix;
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return MAX_DIMENSIONS;
    }

    /** A segment without a graph: a search scores each of its vectors. */
    private static final class ScannedVectors extends KnnVectorsReader {
        private final FlatVectorsReader vectors;

        ScannedVectors(FlatVectorsReader vectors) {
            this.vectors = vectors;
        }

        @Override
        public void search(String field, float[] target, KnnCollector collector, Bits acceptDocs) throws IOException {
            scan(vectors.getRandomVectorScorer(field, target), collector, acceptDocs);
        }

        @Override
        public void search(String field, byte[] target, KnnCollector collector, Bits acceptDocs) throws IOException {
            scan(vectors.getRandomVectorScorer(field, target), collector, acceptDocs);
        }

        private static void scan(RandomVectorScorer scorer, KnnCollector collector, Bits acceptDocs) throws IOException {
            if (scorer == null) {
                return;
            }
            Bits accepted = scorer.getAcceptOrds(acceptDocs);
            for (int ord = 0; ord < scorer.maxOrd() && !collector.earlyTerminated(); ord++) {
                if (accepted == null || accepted.get(ord)) {
                    collector.incVisitedCount(1);
                    collector.collect(scorer.ordToDoc(ord), scorer.score(ord));
                }
            }
        }

        @Override
        public FloatVectorValues getFloatVectorValues(String field) throws IOException {
            return vectors.getFloatVectorValues(field);
        }

        @Override
        public ByteVectorValues getByteVectorValues(String field) throws IOException {
            return vectors.getByteVectorValues(field);
        }

        @Override
        public void checkIntegrity() throws IOException {
            vectors.checkIntegrity();
        }

        @Override
        public long ramBytesUsed() {
            return vectors.ramBytesUsed();
        }

        @Override
        public void close() throws IOException {
            vectors.close();
        }
    }
}

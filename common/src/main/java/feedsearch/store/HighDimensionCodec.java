package feedsearch.store;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

import java.io.IOException;

/**
 * Lucene's default codec with room for vectors of up to 4096 dimensions instead of 1024, so
 * OpenAI's 1536- and 3072-dimension embeddings fit the local store. Only the writer checks the
 * limit; the files are the standard HNSW format under its standard name, which any Lucene 9.12
 * reads back.
 */
final class HighDimensionCodec extends Lucene912Codec {
    static final int MAX_DIMENSIONS = 4096;
    private final KnnVectorsFormat vectors = new HighDimensionHnsw();

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return vectors;
    }

    private static final class HighDimensionHnsw extends KnnVectorsFormat {
        private final KnnVectorsFormat standard = new Lucene99HnswVectorsFormat();

        HighDimensionHnsw() {
            super("Lucene99HnswVectorsFormat");
        }

        @Override
        public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
            return standard.fieldsWriter(state);
        }

        @Override
        public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
            return standard.fieldsReader(state);
        }

        @Override
        public int getMaxDimensions(String fieldName) {
            return MAX_DIMENSIONS;
        }
    }
}

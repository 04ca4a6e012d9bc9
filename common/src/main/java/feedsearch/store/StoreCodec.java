package feedsearch.store;

import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;

/**
 * Lucene's default codec, with vectors in {@link MergedGraphVectorsFormat}. Under Lucene's own
 * name: every other part of a segment is the standard format, and the vectors' format is found
 * by its own name when a segment is read.
 */
final class StoreCodec extends Lucene912Codec {
    private final KnnVectorsFormat vectors = new MergedGraphVectorsFormat();

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        return vectors;
    }
}

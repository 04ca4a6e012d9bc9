package feedsearch.store;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Sha256;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DocumentStoredFieldVisitor;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ConjunctionUtils;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.HitQueue;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An embedded store: an Apache Lucene index on disk with HNSW vectors, for a laptop with nothing
 * else installed. Passages, post records, feed state and the index description are documents
 * told apart by {@code kind}. Each post is replaced with one {@code updateDocuments} call and
 * committed before the call that wrote it returns (alone, or with the others of a
 * {@link #replacePosts}), so a crash leaves every post either all old or all new, and every post
 * reported written is there. Lucene's write lock keeps a second ingest out.
 */
public final class LocalStore implements VectorStore {
    public static final String ENGINE = "lucene";

    private static final String KIND = "kind";
    private static final String ID = "id";
    private static final String POST_ID = "post_id";
    private static final String URL = "url";
    private static final String TITLE = "title";
    private static final String FEED = "feed";
    private static final String PUBLISHED = "published";
    private static final String CHUNK = "chunk";
    private static final String TEXT = "text";
    /** The passage's title and text, analyzed for BM25; indexed only, with frequencies but no positions, to stay small. */
    private static final String WORDS = "words";
    private static final String EMBEDDING = "embedding";
    private static final FieldType WORDS_TYPE = wordsType();
    /** Passages of older stores get their words field from their stored text, this many per commit. */
    private static final int REINDEX_BATCH = 500;

    /**
     * Up to this many vector components (passages left by the filter, times dimensions) a search
     * scores every passage: exact, and about 18 ms at the limit (52,000 passages of 384
     * dimensions) on a busy 2-core machine; most blogs stay far below it. HNSW answers in about
     * 5 ms but is approximate, and a flood of near-identical posts (issue 8: 5,000 copies of one
     * spam text) can trap it however many candidates it is given; exact search cannot be trapped.
     */
    static final long EXACT_SEARCH_LIMIT = 20_000_000;
    /**
     * The fewest candidates HNSW is asked for, however few passages are wanted: its search keeps
     * only as many as it is asked for, and with the searcher's 20 it stops among near neighbours
     * of each other and misses better passages elsewhere. On 50,000 passages with clusters of
     * near-duplicates, recall@10 was 0.83 asking for 10 and 0.998 for 200 to 1,000. 500 costs
     * about 1 ms more than 200, and under 5,000 spam copies found the right post in 2 of 3 trials
     * where 200 found it in none.
     */
    static final int HNSW_MIN_CANDIDATES = 500;

    private final Path path;
    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    /** How the writer's passages compare: {@link #similarityOf} the index it opened. */
    private final VectorSimilarityFunction writerSimilarity;
    /**
     * How often a store opened for reading looks for a newer commit. Looking re-reads the commit's
     * segments files (a directory listing, an open and a map of each), and a question makes three
     * searches: a batch of questions paid that on every search.
     */
    private static final long READER_REFRESH_NANOS = 1_000_000_000L;
    private volatile long lastRefresh = System.nanoTime();
    private final long exactSearchLimit;
    private final FeedChecks checks;
    /** Whether passages have the words field; null until first asked (see {@link #hasTextIndex()}). */
    private volatile Boolean textIndex;
    private boolean closed;

    private LocalStore(Path path, Directory directory, IndexWriter writer, SearcherManager searchers, long exactSearchLimit) {
        this.path = path;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.exactSearchLimit = exactSearchLimit;
        this.checks = new FeedChecks(path);
        this.writerSimilarity = writer == null ? null : search(searcher -> similarityOf(searcher.getIndexReader()));
    }

    /**
     * How the index compares vectors. A new one takes dot products of vectors scaled to unit
     * length: the cosine, as the index description says, with one sum where Lucene's COSINE
     * makes three; building the HNSW graph of a first ingest of the blog (2,003 passages) took
     * 0.20-0.22 CPU-seconds instead of 0.36. An index made before keeps COSINE, which Lucene
     * fixes for the field's life. Scores come out alike: (1 + cosine) / 2.
     */
    private static VectorSimilarityFunction similarityOf(IndexReader reader) {
        FieldInfo field = FieldInfos.getMergedFieldInfos(reader).fieldInfo(EMBEDDING);
        return field == null || field.getVectorDimension() == 0
                ? VectorSimilarityFunction.DOT_PRODUCT : field.getVectorSimilarityFunction();
    }

    /**
     * The vector as the index compares it: a copy of unit length, its length summed in double
     * (zero stays zero). Lucene normalises, and computes cosines, in float, where the squares of
     * components like 1e20 or 1e-30 overflow or vanish, giving a zero vector or a NaN score; a
     * cosine index gets unit-length vectors too, whose cosines are the same.
     */
    private static float[] unitLength(float[] vector) {
        double squares = 0;
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                // Refused as Lucene refuses it, naming what was sent: once scaled, a NaN is in every component.
                throw new IllegalArgumentException("non-finite value at vector[" + i + "]=" + vector[i]);
            }
            squares += (double) vector[i] * vector[i];
        }
        double scale = squares == 0 ? 0 : 1 / Math.sqrt(squares);
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] * scale);
        }
        return unit;
    }

    /** Opens (creating if needed) the store for writing, taking its lock. */
    public static LocalStore openForWriting(Path path) {
        Directory directory = null;
        try {
            Files.createDirectories(path);
            directory = FSDirectory.open(path);
            if (!DirectoryReader.indexExists(directory) && holdsOtherFiles(path)) {
                closeQuietly(directory);
                throw new FeedsearchException(ExitCode.USAGE, "local store " + path + " would be made in a directory that "
                        + "holds other files; give --store-path an empty or new directory");
            }
            IndexWriter writer = new IndexWriter(directory, new IndexWriterConfig(ANALYZER)
                    .setCodec(new StoreCodec())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
            return new LocalStore(path, directory, writer, new SearcherManager(writer, null), EXACT_SEARCH_LIMIT);
        } catch (LockObtainFailedException e) {
            closeQuietly(directory);
            throw locked(path, e);
        } catch (IOException e) {
            closeQuietly(directory);
            if (isDamagedIndex(path, e)) {
                throw new DamagedIndexException(path, e);
            }
            String why = e instanceof FileAlreadyExistsException ? "it is a file, not a directory" : e.getMessage();
            throw new FeedsearchException(ExitCode.UNREACHABLE, "local store " + path + " cannot be opened: " + why, e);
        }
    }

    /** Opens an existing store for searching; writers may keep working meanwhile, their commits seen within a second. */
    public static LocalStore openForReading(Path path) {
        return openForReading(path, EXACT_SEARCH_LIMIT);
    }

    /** @param exactSearchLimit see {@link #EXACT_SEARCH_LIMIT}; tests lower it to exercise HNSW */
    static LocalStore openForReading(Path path, long exactSearchLimit) {
        Directory directory = null;
        try {
            if (!Files.isDirectory(path)) {
                throw noIndex(path);
            }
            directory = FSDirectory.open(path);
            if (!DirectoryReader.indexExists(directory)) {
                directory.close();
                throw noIndex(path);
            }
            return new LocalStore(path, directory, null, new SearcherManager(directory, null), exactSearchLimit);
        } catch (IOException e) {
            closeQuietly(directory);
            if (isDamagedIndex(path, e)) {
                throw new DamagedIndexException(path, e);
            }
            throw new FeedsearchException(ExitCode.UNREACHABLE, "local store " + path + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static FeedsearchException locked(Path path, LockObtainFailedException e) {
        return new FeedsearchException(ExitCode.LOCKED, "local store " + path
                + " is locked: another ingest is writing to it (lock " + path.resolve(IndexWriter.WRITE_LOCK_NAME) + ")", e);
    }

    /**
     * Files cut short or overwritten, or written by a Lucene this one cannot read, in a directory
     * that did hold a Lucene index: a commit file begins with Lucene's mark. A stray file that
     * only bears the name of one does not make a directory an index to drop.
     */
    private static boolean isDamagedIndex(Path path, IOException e) {
        boolean damage = e instanceof CorruptIndexException || e instanceof IndexFormatTooOldException
                || e instanceof IndexFormatTooNewException || e instanceof EOFException;
        return damage && holdsLuceneCommit(path);
    }

    private static boolean holdsLuceneCommit(Path path) {
        try (Stream<Path> files = Files.list(path)) {
            // Regular files only: a pipe named like a commit would hold the read forever.
            return files.filter(f -> COMMIT_FILE.matcher(f.getFileName().toString()).matches()
                    && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).anyMatch(LocalStore::beginsWithLuceneMark);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean beginsWithLuceneMark(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && ByteBuffer.wrap(head).getInt() == CodecUtil.CODEC_MAGIC;
        } catch (IOException e) {
            return false;
        }
    }

    /** A local store whose index cannot be read at all: exit 3, and {@link #dropDamaged} can still delete it. */
    public static final class DamagedIndexException extends FeedsearchException {
        private final Path path;

        DamagedIndexException(Path path, IOException cause) {
            super(ExitCode.UNREACHABLE, "local store " + path + " cannot be read: " + cause.getMessage()
                    + "; 'ingest drop --yes' (same store options) deletes it", cause);
            this.path = path;
        }

        public Path path() {
            return path;
        }
    }

    /**
     * Deletes the index files of a store too damaged to open, as {@link #drop} does for a sound
     * one. Lucene's write lock is taken first, so an ingest still writing keeps its store (exit 5).
     */
    public static void dropDamaged(Path path) {
        if (!holdsLuceneCommit(path)) {
            throw new FeedsearchException(ExitCode.UNREACHABLE, "local store " + path + " holds no index to drop");
        }
        try (Directory directory = FSDirectory.open(path)) {
            try (Lock ignored = directory.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
                deleteIndexFiles(path);
            } catch (LockObtainFailedException e) {
                throw locked(path, e);
            }
            deleteLockAndEmptyDirectory(path);
        } catch (IOException e) {
            throw new UncheckedIOException("dropping local store " + path + " failed", e);
        }
    }

    private static FeedsearchException noIndex(Path path) {
        return new FeedsearchException(ExitCode.UNREACHABLE, "no index in local store " + path + ": run ingest first");
    }

    @Override
    public String describe() {
        return "local store " + path;
    }

    @Override
    public Optional<IndexMeta> meta() {
        return findOne(new TermQuery(new Term(ID, "meta"))).map(d -> new IndexMeta(
                d.get("engine"), d.get("embedder"), d.get("model"), intOf(d, "dimension"), d.get("metric"),
                d.get("algorithm"), "float32", intOf(d, "schema_version"), instantOf(d, "created")));
    }

    @Override
    public IndexMeta prepare(String embedder, String model, int dimension) {
        Optional<IndexMeta> existing = meta();
        if (existing.isPresent()) {
            existing.get().requireAccepts(describe(), embedder, model, dimension);
            return existing.get();
        }
        IndexMeta wanted = new IndexMeta(ENGINE, embedder, model, dimension, "cosine", "hnsw", "float32",
                IndexMeta.SCHEMA_VERSION, Instant.now());
        writeMeta(wanted);
        return wanted;
    }

    private void writeMeta(IndexMeta meta) {
        Document d = new Document();
        d.add(new StringField(KIND, "meta", Field.Store.YES));
        d.add(new StringField(ID, "meta", Field.Store.YES));
        d.add(new StoredField("engine", meta.engine()));
        d.add(new StoredField("embedder", meta.embedder()));
        d.add(new StoredField("model", meta.model()));
        d.add(new StoredField("dimension", meta.dimension()));
        d.add(new StoredField("metric", meta.metric()));
        d.add(new StoredField("algorithm", meta.algorithm()));
        d.add(new StoredField("schema_version", meta.schemaVersion()));
        d.add(new StoredField("created", meta.created().getEpochSecond()));
        write(() -> writer.updateDocument(new Term(ID, "meta"), d));
        textIndex = null;
    }

    /**
     * A store made before passages had a words field gets one, built from each passage's stored
     * title and text; the vectors are copied, never recomputed.
     */
    @Override
    public Optional<String> upgrade() {
        requireWriter();
        Optional<IndexMeta> meta = meta();
        if (meta.isEmpty() || meta.get().schemaVersion() >= IndexMeta.TEXT_INDEX_VERSION) {
            return Optional.empty();
        }
        // Walks one searcher's snapshot, which the writes below do not change, a batch at a time.
        int passages = search(searcher -> {
            int rewritten = 0;
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                FloatVectorValues vectors = leaf.reader().getFloatVectorValues(EMBEDDING);
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                for (int doc = vectors == null ? DocIdSetIterator.NO_MORE_DOCS : vectors.nextDoc();
                     doc != DocIdSetIterator.NO_MORE_DOCS; doc = vectors.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        Document old = stored.document(doc);
                        Document d = new Document();
                        addPostFields(d, toPost(old));
                        passageDocument(d, old.get(POST_ID), old.get(TITLE), intOf(old, CHUNK), old.get(TEXT),
                                vectors.vectorValue(), writerSimilarity);
                        writer.updateDocument(new Term(ID, d.get(ID)), d);
                        if (++rewritten % REINDEX_BATCH == 0) {
                            writer.commit();
                        }
                    }
                }
            }
            return rewritten;
        });
        IndexMeta old = meta.get();
        writeMeta(new IndexMeta(old.engine(), old.embedder(), old.model(), old.dimension(), old.metric(), old.algorithm(),
                old.vectorType(), IndexMeta.TEXT_INDEX_VERSION, old.created()));
        return Optional.of("indexed the words of " + passages
                + " passages for hybrid search, from their stored text (nothing re-embedded)");
    }

    @Override
    public Optional<PostRecord> post(String postId) {
        return findOne(new TermQuery(new Term(ID, "post:" + postId))).map(LocalStore::toPost);
    }

    @Override
    public void replacePost(PostRecord post, List<StoredPassage> passages) {
        IllegalArgumentException refused = replacePosts(List.of(new PostWrite(post, passages))).get(0);
        if (refused != null) {
            throw refused;
        }
    }

    /**
     * One commit for all: each commit flushes a segment and syncs its files, and one per post
     * was 66 for a first ingest of the blog, 2,000 for 2,000 short posts. A refused post leaves
     * nothing of itself in the index (Lucene drops a block that fails), so the others are
     * committed without it.
     */
    @Override
    public List<IllegalArgumentException> replacePosts(List<PostWrite> writes) {
        List<IllegalArgumentException> refusals = new ArrayList<>(writes.size());
        write(() -> {
            for (PostWrite w : writes) {
                try {
                    // One call deletes the old post record and every old passage, and adds the new ones.
                    writer.updateDocuments(new Term(POST_ID, w.post().postId()),
                            postDocuments(w.post(), w.passages(), writerSimilarity));
                    refusals.add(null);
                } catch (IllegalArgumentException e) {
                    refusals.add(e);
                }
            }
        });
        return refusals;
    }

    private static List<Document> postDocuments(PostRecord post, List<StoredPassage> passages, VectorSimilarityFunction similarity) {
        List<Document> docs = new ArrayList<>(passages.size() + 1);
        Document record = new Document();
        record.add(new StringField(KIND, "post", Field.Store.YES));
        record.add(new StringField(ID, "post:" + post.postId(), Field.Store.YES));
        addPostFields(record, post);
        record.add(new StoredField("content_hash", post.contentHash()));
        record.add(new StoredField("chunks", post.chunks()));
        record.add(new StoredField("ingested_at", post.ingestedAt().getEpochSecond()));
        docs.add(record);
        for (StoredPassage passage : passages) {
            if (similarity == VectorSimilarityFunction.COSINE && isZero(passage.embedding())) {
                // Lucene's cosine of a zero vector is NaN, which no ranking survives; a new index's dot products score it 0.
                throw new IllegalArgumentException("a zero vector has no direction to compare by cosine");
            }
            Document d = new Document();
            addPostFields(d, post);
            docs.add(passageDocument(d, post.postId(), post.title(), passage.chunk(), passage.text(), passage.embedding(), similarity));
        }
        return docs;
    }

    /** Completes a passage's document: {@code d} holds its post's fields already. */
    private static Document passageDocument(Document d, String postId, String title, int chunk, String text, float[] embedding,
                                            VectorSimilarityFunction similarity) {
        d.add(new StringField(KIND, "passage", Field.Store.YES));
        d.add(new StringField(ID, "passage:" + postId + ":" + chunk, Field.Store.YES));
        d.add(new StoredField(CHUNK, chunk));
        d.add(new StoredField(TEXT, text));
        d.add(new Field(WORDS, title + "\n" + text, WORDS_TYPE));
        d.add(new KnnFloatVectorField(EMBEDDING, unitLength(embedding), similarity));
        return d;
    }

    private static boolean isZero(float[] vector) {
        for (float x : vector) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static final Analyzer ANALYZER = new EnglishAnalyzer();
    /** segments_N and pending_segments_N, N in base 36. */
    private static final Pattern COMMIT_FILE = Pattern.compile("(pending_)?segments_[0-9a-z]+");

    private static FieldType wordsType() {
        FieldType type = new FieldType();
        type.setTokenized(true);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
        type.freeze();
        return type;
    }

    private static void addPostFields(Document d, PostRecord post) {
        d.add(new StringField(POST_ID, post.postId(), Field.Store.YES));
        d.add(new StoredField(URL, post.url()));
        d.add(new StoredField(TITLE, post.title()));
        d.add(new StringField(FEED, post.feed(), Field.Store.YES));
        if (post.published() != null) {
            long seconds = post.published().getEpochSecond();
            d.add(new LongPoint(PUBLISHED, seconds));
            d.add(new StoredField(PUBLISHED, seconds));
        }
    }

    /** The passages a filter leaves, as clauses to add to a query. */
    private static BooleanQuery.Builder passagesOf(SearchFilter filter) {
        BooleanQuery.Builder pre = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(KIND, "passage")), BooleanClause.Occur.FILTER);
        if (filter.feed() != null) {
            pre.add(new TermQuery(new Term(FEED, filter.feed())), BooleanClause.Occur.FILTER);
        }
        if (filter.since() != null) {
            pre.add(LongPoint.newRangeQuery(PUBLISHED, filter.since().getEpochSecond(), Long.MAX_VALUE),
                    BooleanClause.Occur.FILTER);
        }
        if (filter.postId() != null) {
            pre.add(new TermQuery(new Term(POST_ID, filter.postId())), BooleanClause.Occur.FILTER);
        }
        return pre;
    }

    @Override
    public boolean hasTextIndex() {
        // Asked once per question: the meta record is read once per store, and again only after we rewrite it.
        Boolean known = textIndex;
        if (known == null) {
            Optional<IndexMeta> meta = meta();
            known = meta.isPresent() && meta.get().schemaVersion() >= IndexMeta.TEXT_INDEX_VERSION;
            textIndex = known;
        }
        return known;
    }

    @Override
    public List<PassageMatch> textMatches(String question, int n, SearchFilter filter) {
        Optional<Query> query = wordQuery(question, filter);
        return query.isEmpty() ? List.of()
                : search(searcher -> matches(searcher, Arrays.asList(searcher.search(query.get(), n).scoreDocs), false));
    }

    @Override
    public List<PassageMatch> textPosts(String question, int posts, SearchFilter filter) {
        Optional<Query> query = wordQuery(question, filter);
        return query.isEmpty() ? List.of() : search(searcher -> {
            PostIds postIds = new PostIds(searcher.storedFields());
            List<ScoreDoc> best = BestPerPost.select(posts, BestPerPost.firstAsk(posts),
                    n -> Arrays.asList(searcher.search(query.get(), n).scoreDocs), postIds::of);
            return matches(searcher, best, false);
        });
    }

    /** The passages a question's words match after the filter; empty when no word is left to match. */
    private static Optional<Query> wordQuery(String question, SearchFilter filter) {
        return WordQuery.of(ANALYZER, WORDS, question)
                .map(words -> passagesOf(filter).add(words, BooleanClause.Occur.MUST).build());
    }

    @Override
    public List<PassageMatch> nearest(float[] vector, int n, SearchFilter filter) {
        Query candidates = passagesOf(filter).build();
        float[] compared = unitLength(vector);
        return search(searcher -> {
            boolean exact = isSmall(searcher.count(candidates), vector);
            return matches(searcher, nearestDocs(searcher, candidates, compared, n, exact), true);
        });
    }

    @Override
    public List<PassageMatch> nearestPosts(float[] vector, int posts, SearchFilter filter) {
        Query candidates = passagesOf(filter).build();
        float[] compared = unitLength(vector);
        return search(searcher -> {
            int count = searcher.count(candidates);
            boolean exact = isSmall(count, vector);
            PostIds postIds = new PostIds(searcher.storedFields());
            // An exact search scores every candidate anyway, so it ranks them all in one go (asking
            // for one more than there are says there are no more); HNSW visits at least
            // HNSW_MIN_CANDIDATES whatever it is asked for, so it is asked for that many.
            int firstAsk = exact ? count + 1 : Math.max(BestPerPost.firstAsk(posts), HNSW_MIN_CANDIDATES);
            List<ScoreDoc> best = BestPerPost.select(posts, firstAsk,
                    n -> nearestDocs(searcher, candidates, compared, n, exact), postIds::of);
            return matches(searcher, best, true);
        });
    }

    /** Small stores and selective filters are searched exactly; HNSW is for big stores. */
    private boolean isSmall(int candidates, float[] vector) {
        return (long) candidates * vector.length <= exactSearchLimit;
    }

    /** @param vector as the index compares it ({@link #unitLength}) */
    private static List<ScoreDoc> nearestDocs(IndexSearcher searcher, Query candidates, float[] vector, int n, boolean exact)
            throws IOException {
        return Arrays.asList(exact ? exactNearest(searcher, candidates, vector, n)
                : searcher.search(new KnnFloatVectorQuery(EMBEDDING, vector, Math.max(n, HNSW_MIN_CANDIDATES), candidates), n)
                        .scoreDocs);
    }

    /**
     * Post ids of passages, each read once: a ranking asked again for more passages meets the
     * same ones first, and only a post's best passage is read in full.
     */
    private static final class PostIds {
        private final StoredFields stored;
        private final Map<Integer, String> byDoc = new HashMap<>();

        PostIds(StoredFields stored) {
            this.stored = stored;
        }

        String of(ScoreDoc passage) throws IOException {
            String id = byDoc.get(passage.doc);
            if (id == null) {
                DocumentStoredFieldVisitor visitor = new DocumentStoredFieldVisitor(POST_ID);
                stored.document(passage.doc, visitor);
                id = visitor.getDocument().get(POST_ID);
                byDoc.put(passage.doc, id);
            }
            return id;
        }
    }

    /** @param cosine whether the scores are Lucene's cosine scores, (1 + cos) / 2, to turn back into cosines */
    private static List<PassageMatch> matches(IndexSearcher searcher, List<ScoreDoc> top, boolean cosine) throws IOException {
        List<PassageMatch> matches = new ArrayList<>(top.size());
        StoredFields stored = searcher.storedFields();
        for (ScoreDoc hit : top) {
            Document d = stored.document(hit.doc);
            matches.add(new PassageMatch(d.get(POST_ID), d.get(URL), d.get(TITLE), d.get(FEED),
                    instantOf(d, PUBLISHED), intOf(d, CHUNK), d.get(TEXT), cosine ? 2.0 * hit.score - 1.0 : hit.score));
        }
        return matches;
    }

    /** The {@code n} best of all {@code candidates} by cosine, scored like Lucene's kNN search scores them. */
    private static ScoreDoc[] exactNearest(IndexSearcher searcher, Query candidates, float[] vector, int n)
            throws IOException {
        Weight filter = searcher.createWeight(searcher.rewrite(candidates), ScoreMode.COMPLETE_NO_SCORES, 1f);
        HitQueue best = new HitQueue(n, false);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues vectors = leaf.reader().getFloatVectorValues(EMBEDDING);
            Scorer passages = filter.scorer(leaf);
            if (vectors == null || passages == null) {
                continue;
            }
            VectorScorer similarity = vectors.scorer(vector);
            DocIdSetIterator docs = ConjunctionUtils.intersectIterators(List.of(passages.iterator(), similarity.iterator()));
            Bits live = leaf.reader().getLiveDocs();
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live == null || live.get(doc)) {
                    best.insertWithOverflow(new ScoreDoc(leaf.docBase + doc, similarity.score()));
                }
            }
        }
        ScoreDoc[] top = new ScoreDoc[best.size()];
        for (int i = top.length - 1; i >= 0; i--) {
            top[i] = best.pop();
        }
        return top;
    }

    @Override
    public Optional<FeedState> feedState(String feedUrl) {
        return storedFeedState(feedUrl).map(this::withLastCheck);
    }

    private Optional<FeedState> storedFeedState(String feedUrl) {
        return findOne(new TermQuery(new Term(ID, feedKey(feedUrl)))).map(LocalStore::toFeedState);
    }

    /** The state with its last run the later of the index's and the last time the feed was found unchanged. */
    private FeedState withLastCheck(FeedState state) {
        return checks.of(feedKey(state.url()))
                .filter(checked -> checked.isAfter(state.lastRun()))
                .map(checked -> new FeedState(state.url(), state.etag(), state.lastModified(), checked, state.entries()))
                .orElse(state);
    }

    /**
     * A feed found unchanged (the same validators and entry count as stored) has only its time
     * recorded, beside the index ({@link FeedChecks}); anything else is a commit.
     */
    @Override
    public void saveFeedState(FeedState state) {
        requireWriter();
        Optional<FeedState> stored = storedFeedState(state.url());
        if (stored.isPresent() && Objects.equals(stored.get().etag(), state.etag())
                && Objects.equals(stored.get().lastModified(), state.lastModified())
                && stored.get().entries() == state.entries()
                && checks.record(feedKey(state.url()), state.lastRun())) {
            return;
        }
        Document d = new Document();
        d.add(new StringField(KIND, "feed", Field.Store.YES));
        d.add(new StringField(ID, feedKey(state.url()), Field.Store.YES));
        d.add(new StoredField(URL, state.url()));
        if (state.etag() != null) {
            d.add(new StoredField("etag", state.etag()));
        }
        if (state.lastModified() != null) {
            d.add(new StoredField("last_modified", state.lastModified()));
        }
        d.add(new StoredField("last_run", state.lastRun().getEpochSecond()));
        d.add(new StoredField("entries", state.entries()));
        write(() -> writer.updateDocument(new Term(ID, feedKey(state.url())), d));
    }

    private static String feedKey(String feedUrl) {
        return "feed:" + Sha256.hex(feedUrl).substring(0, 40);
    }

    @Override
    public StoreStatus status() {
        return search(searcher -> {
            long posts = searcher.count(new TermQuery(new Term(KIND, "post")));
            long passages = searcher.count(new TermQuery(new Term(KIND, "passage")));
            List<FeedState> feeds = new ArrayList<>();
            TopDocs top = searcher.search(new TermQuery(new Term(KIND, "feed")), Integer.MAX_VALUE / 2);
            for (ScoreDoc hit : top.scoreDocs) {
                feeds.add(withLastCheck(toFeedState(searcher.storedFields().document(hit.doc))));
            }
            feeds.sort(Comparator.comparing(FeedState::url));
            return new StoreStatus(describe(), meta().orElse(null), posts, passages, feeds);
        });
    }

    @Override
    public IndexHealth health() {
        // Lucene indexes a document in the same call that adds it, or fails that call.
        return new IndexHealth(search(s -> (long) s.count(new TermQuery(new Term(KIND, "passage")))), 100.0, 0, null);
    }

    @Override
    public void drop() {
        requireWriter();
        try {
            writer.deleteAll();
            writer.commit();
            close(); // releases the lock before its file goes
            deleteIndexFiles(path);
            deleteLockAndEmptyDirectory(path);
        } catch (IOException e) {
            throw new UncheckedIOException("dropping " + describe() + " failed", e);
        }
    }

    /** The index's own files but the write lock's: whatever else someone put in the directory stays. */
    private static void deleteIndexFiles(Path path) throws IOException {
        try (Stream<Path> files = Files.list(path)) {
            for (Path file : files.filter(LocalStore::isIndexFile).toList()) {
                if (!file.getFileName().toString().equals(IndexWriter.WRITE_LOCK_NAME)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    /** Once the lock is released: its file, and the directory unless someone else's files are in it. */
    private static void deleteLockAndEmptyDirectory(Path path) throws IOException {
        Files.deleteIfExists(path.resolve(IndexWriter.WRITE_LOCK_NAME));
        if (!holdsOtherFiles(path)) {
            Files.deleteIfExists(path);
        }
    }

    /** Lucene's files, by Lucene's own names (segments' parts, commit points, the write lock), and {@link FeedChecks}'. */
    private static boolean isIndexFile(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && (IndexFileNames.CODEC_FILE_PATTERN.matcher(name).matches()
                || COMMIT_FILE.matcher(name).matches() || name.equals(IndexWriter.WRITE_LOCK_NAME) || FeedChecks.isOurs(name));
    }

    private static boolean holdsOtherFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(file -> !isIndexFile(file));
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            searchers.close();
            if (writer != null && writer.isOpen()) {
                writer.close();
            }
            directory.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing " + describe() + " failed", e);
        }
    }

    private interface IndexWrite {
        void run() throws IOException;
    }

    private interface IndexRead<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    private void write(IndexWrite change) {
        requireWriter();
        try {
            change.run();
            writer.commit();
            searchers.maybeRefreshBlocking();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to " + describe() + " failed", e);
        }
    }

    private void requireWriter() {
        if (writer == null) {
            throw new IllegalStateException(describe() + " was opened for reading");
        }
    }

    private <T> T search(IndexRead<T> read) {
        try {
            if (writer != null || System.nanoTime() - lastRefresh >= READER_REFRESH_NANOS) {
                searchers.maybeRefresh();
                lastRefresh = System.nanoTime();
            }
            IndexSearcher searcher = searchers.acquire();
            try {
                return read.apply(searcher);
            } finally {
                searchers.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + describe() + " failed", e);
        }
    }

    private Optional<Document> findOne(Query query) {
        return search(searcher -> {
            TopDocs top = searcher.search(query, 1);
            return top.scoreDocs.length == 0 ? Optional.empty()
                    : Optional.of(searcher.storedFields().document(top.scoreDocs[0].doc));
        });
    }

    private static PostRecord toPost(Document d) {
        return new PostRecord(d.get(POST_ID), d.get(URL), d.get(TITLE), d.get(FEED), instantOf(d, PUBLISHED),
                d.get("content_hash"), intOf(d, "chunks"), instantOf(d, "ingested_at"));
    }

    private static FeedState toFeedState(Document d) {
        return new FeedState(d.get(URL), d.get("etag"), d.get("last_modified"), instantOf(d, "last_run"),
                intOf(d, "entries"));
    }

    private static int intOf(Document d, String field) {
        IndexableField f = d.getField(field);
        return f == null ? 0 : f.numericValue().intValue();
    }

    private static Instant instantOf(Document d, String field) {
        IndexableField f = d.getField(field);
        return f == null ? null : Instant.ofEpochSecond(f.numericValue().longValue());
    }

    private static void closeQuietly(Directory directory) {
        if (directory != null) {
            try {
                directory.close();
            } catch (IOException ignored) {
                // Already failing with a better message.
            }
        }
    }
}

package feedsearch.embed;

import feedsearch.TaskFailure;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * all-MiniLM-L6-v2 (quantized ONNX, 384 dimensions, the files langchain4j ships) run in process
 * by onnxruntime: no network, no key. The model is loaded once per JVM on first use and shared,
 * since it is immutable and thread-safe and loading it costs about a second.
 */
public final class LocalEmbedder implements Embedder {
    public static final String NAME = "local";
    public static final String MODEL_ID = "all-minilm-l6-v2-q";
    private static final int DIMENSION = 384;
    /**
     * The model's tokenizer cuts a text at 128 word pieces (the length all-MiniLM-L6-v2 was
     * trained on), and [CLS] and [SEP] take two of them. Passages sized for 256 lost the last
     * third of their text to the cut: vector search never saw it (eval.sh on the blog, vector
     * mode, hit@1 0.925 -> 0.950 once passages fit).
     */
    private static final int MAX_INPUT_TOKENS = 126;

    /**
     * Names a directory holding the model's two files as the jar ships them (the build unpacks
     * them there, and bin/ launchers pass it): read from disk, the model skips inflating 16 MB
     * from the jar on every start. Without it, or when a file is missing, the jar's copy is used.
     */
    public static final String MODEL_DIR_PROPERTY = "feedsearch.model.dir";
    static final String MODEL_FILE = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER_FILE = "all-minilm-l6-v2-q-tokenizer.json";

    /**
     * The model, loaded when first used. Everything that names its classes lives in here: the
     * verifier of LocalEmbedder itself then loads none of them, so a run that embeds nothing
     * (an unchanged feed) never touches the model's code.
     */
    private static final class Model {
        static final SentenceEncoder INSTANCE = load(System.getProperty(MODEL_DIR_PROPERTY));
        /**
         * Runs the texts of a call side by side, one per core, as langchain4j's embedAll did: a
         * session run of one text uses one thread (see {@link #sessionOptions}).
         */
        static final ExecutorService TEXTS = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), runnable -> {
            Thread t = new Thread(runnable, "feedsearch-model");
            t.setDaemon(true);
            return t;
        });

        /** The same model, read from {@code dir} when it holds it, else from the jar. */
        static SentenceEncoder load(String dir) {
            try (OrtSession.SessionOptions options = sessionOptions()) {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                Path model = modelFile(dir, MODEL_FILE);
                OrtSession session = model != null ? env.createSession(model.toString(), options)
                        : env.createSession(fromJar(MODEL_FILE), options);
                return new SentenceEncoder(env, session, DIMENSION);
            } catch (OrtException e) {
                throw new IllegalStateException("the local embedding model could not be loaded: " + e.getMessage(), e);
            }
        }

        /**
         * One thread per call. The texts of a call already run side by side, one per core;
         * onnxruntime's default adds a pool of one thread per core to each call, so
         * 2 cores carried 4 busy threads, and its threads spin between operators instead of
         * sleeping: CPU taken from the fetching, chunking and store writes of an ingest running
         * alongside. Measured by scripts/bench-throughput.sh: the model alone 31-34 CPU-seconds
         * for the blog's 2,003 passages instead of 41-53, the cold ingest 38-41 instead of 61-67.
         */
        static OrtSession.SessionOptions sessionOptions() throws OrtException {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            return options;
        }
    }

    /**
     * The model's tokenizer, apart from the model: the chunker counts pieces while the model
     * loads, and a run that embeds nothing loads neither.
     */
    private static final class Pieces {
        static final WordPieces INSTANCE = load(System.getProperty(MODEL_DIR_PROPERTY));

        static WordPieces load(String dir) {
            // DJL, whose tokenizer this is, asks the EC2 metadata service on first use and, on
            // EC2, reports the machine to DJL's makers: off, unless the user says otherwise.
            // Its offline mode would stop that too, but also the download of its native library
            // on a platform its jar does not carry (an Intel Mac): only the last resort, for an
            // OPT_OUT_TRACKING set empty, which DJL reads as "track" before any property.
            String optOut = System.getenv("OPT_OUT_TRACKING");
            if (optOut == null) {
                System.getProperties().putIfAbsent("OPT_OUT_TRACKING", "true");
            } else if (optOut.isBlank()) {
                System.getProperties().putIfAbsent("ai.djl.offline", "true");
            }
            try {
                Path file = modelFile(dir, TOKENIZER_FILE);
                return new WordPieces(file != null ? Files.readAllBytes(file) : fromJar(TOKENIZER_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** {@code name} in {@code dir}, when the directory is given and holds it. */
    private static Path modelFile(String dir, String name) {
        if (dir == null || dir.isBlank()) {
            return null;
        }
        Path file = Path.of(dir, name);
        return Files.isRegularFile(file) ? file : null;
    }

    /** What AllMiniLmL6V2QuantizedEmbeddingModel reads: the same files, from the jar. */
    private static byte[] fromJar(String name) {
        try (InputStream in = LocalEmbedder.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the model's files are not on the class path: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why loading the model on the preload thread failed, for the thread that then needs it. */
    private static volatile Throwable preloadFailure;
    private static volatile Thread preloading;
    /** Far longer than a load takes (under a second); a bound, so a stuck load cannot hold the exit forever. */
    private static final long PRELOAD_EXIT_WAIT_MILLIS = 30_000;

    /**
     * Starts loading the model on a daemon thread, so that it overlaps whatever the caller does
     * next (a query opens its store meanwhile); {@link #embed} waits for it. Costs nothing extra
     * when the model is then used; call it only when it very likely will be. Once per JVM: later
     * calls do nothing.
     */
    public static synchronized void preload() {
        if (preloading != null) {
            return;
        }
        Thread loader = new Thread(new Preload(), "feedsearch-model-load");
        loader.setDaemon(true);
        loader.start();
        preloading = loader;
        for (String name : STOP_SIGNALS) {
            try {
                Signal.handle(new Signal(name), new StopAfterLoad());
            } catch (IllegalArgumentException notHandled) {
                // A signal this platform lacks: its default stays.
            }
        }
    }

    /** What stops a JVM by default (Ctrl-C, a timeout's TERM, a closed terminal). */
    private static final String[] STOP_SIGNALS = {"INT", "TERM", "HUP"};

    /**
     * Stops the JVM as its default handler would (exit 128 + the signal's number, shutdown hooks
     * run), once a load under way has ended: onnxruntime's own shutdown hook frees its
     * environment, and runs alongside the others, so a load still building its session crashed
     * the JVM (SIGSEGV, exit 134, a crash log left behind) when Ctrl-C or a timeout came then.
     * A signal ignored when the JVM started (nohup, a background job) stays ignored.
     */
    private static final class StopAfterLoad implements SignalHandler {
        @Override
        public void handle(Signal signal) {
            awaitPreload();
            System.exit(128 + signal.getNumber());
        }
    }

    /**
     * Waits for a {@link #preload} under way to end. Call it before the JVM exits: onnxruntime
     * aborts the process (exit 134, a crash log left behind) when the JVM exits while it is
     * still building the model's session, as a command that stops early on a mistake would.
     * Not from a shutdown hook: onnxruntime's own hook frees its environment meanwhile.
     */
    public static void awaitPreload() {
        Thread loader = preloading;
        if (loader != null) {
            try {
                loader.join(PRELOAD_EXIT_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A class rather than a lambda: a cold start spins up no lambda machinery for it. */
    private static final class Preload implements Runnable {
        @Override
        public void run() {
            try {
                Objects.requireNonNull(Pieces.INSTANCE);
                Objects.requireNonNull(Model.INSTANCE);
            } catch (Throwable e) {
                preloadFailure = e;
            }
        }
    }

    private static SentenceEncoder model() {
        try {
            return Model.INSTANCE;
        } catch (NoClassDefFoundError e) {
            throw whyNotLoaded(e);
        }
    }

    private static WordPieces pieces() {
        try {
            return Pieces.INSTANCE;
        } catch (NoClassDefFoundError e) {
            throw whyNotLoaded(e);
        }
    }

    /** A holder that failed to load on the preload thread leaves only "could not initialize" here: the first failure says why. */
    private static RuntimeException whyNotLoaded(NoClassDefFoundError e) {
        Throwable first = preloadFailure;
        if (first == null) {
            throw e;
        }
        return new IllegalStateException("the local embedding model could not be loaded: " + first, first);
    }

    @Override
    public void warmUp() {
        preload();
    }

    public static boolean supports(String modelId) {
        return modelId == null || MODEL_ID.equals(modelId);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        SentenceEncoder model = model();
        WordPieces pieces = pieces();
        if (texts.size() == 1) {
            return List.of(model.embed(pieces.modelInput(texts.get(0), MAX_INPUT_TOKENS)));
        }
        List<Future<float[]>> runs = new ArrayList<>(texts.size());
        for (String text : texts) {
            runs.add(Model.TEXTS.submit(() -> model.embed(pieces.modelInput(text, MAX_INPUT_TOKENS))));
        }
        List<float[]> vectors = new ArrayList<>(texts.size());
        try {
            for (Future<float[]> run : runs) {
                vectors.add(run.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            throw TaskFailure.unchecked(e.getCause());
        } finally {
            runs.forEach(run -> run.cancel(false));
        }
        return vectors;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String modelId() {
        return MODEL_ID;
    }

    @Override
    public int maxInputTokens() {
        return MAX_INPUT_TOKENS;
    }

    @Override
    public int countTokens(String text) {
        return pieces().count(text);
    }
}

package feedsearch.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
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

        /** The same model and tokenizer, read from {@code dir} when it holds them, else from the jar. */
        static SentenceEncoder load(String dir) {
            try {
                OrtEnvironment env = OrtEnvironment.getEnvironment();
                if (dir != null && !dir.isBlank()) {
                    Path model = Path.of(dir, MODEL_FILE);
                    Path tokenizer = Path.of(dir, TOKENIZER_FILE);
                    if (Files.isRegularFile(model) && Files.isRegularFile(tokenizer)) {
                        try (OrtSession.SessionOptions options = sessionOptions()) {
                            return new SentenceEncoder(env, env.createSession(model.toString(), options), Files.readAllBytes(tokenizer), DIMENSION);
                        }
                    }
                }
                // What AllMiniLmL6V2QuantizedEmbeddingModel reads: the same two files, from the jar.
                ClassLoader loader = LocalEmbedder.class.getClassLoader();
                try (OrtSession.SessionOptions options = sessionOptions();
                     InputStream model = loader.getResourceAsStream(MODEL_FILE);
                     InputStream vocabulary = loader.getResourceAsStream(TOKENIZER_FILE)) {
                    if (model == null || vocabulary == null) {
                        throw new IllegalStateException("the model's files are not on the class path: " + MODEL_FILE + ", " + TOKENIZER_FILE);
                    }
                    return new SentenceEncoder(env, env.createSession(model.readAllBytes(), options), vocabulary.readAllBytes(), DIMENSION);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("the local embedding model could not be loaded: " + e.getMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
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

    /** Apart from the model: a query counts no tokens, and a run that embeds nothing loads neither. */
    private static final class Tokens {
        // Same BERT uncased vocabulary as the model's own tokenizer.
        static final HuggingFaceTokenCountEstimator TOKENS = new HuggingFaceTokenCountEstimator();
        /**
         * Counts of words already seen. BERT's tokenizer never makes a token across whitespace,
         * so a text counts the sum of its words' counts; the chunker counts every candidate
         * passage as it grows, and tokenizing each candidate whole took about 5 s of a cold
         * ingest of the 66-post blog on the run's one thread.
         */
        static final Map<String, Integer> WORDS = new ConcurrentHashMap<>();
        /** Bounds the memory of a long run: past it, new words are counted but not kept. */
        static final int MAX_WORDS = 200_000;
        /** Longer runs of characters (inlined data, long URLs) rarely come again. */
        static final int MAX_KEPT_CHARS = 64;

        /**
         * The last texts counted on each thread. The splitter counts a passage again after each
         * part it appends, so a count usually extends one of these by a few words.
         */
        private static final ThreadLocal<Recent> RECENT = ThreadLocal.withInitial(Recent::new);

        private static final class Recent {
            final String[] texts = new String[4];
            final int[] counts = new int[4];
            int next;
        }

        static int count(String text) {
            Recent recent = RECENT.get();
            int from = 0;
            int total = 0;
            for (int k = 0; k < recent.texts.length; k++) {
                String known = recent.texts[k];
                if (known != null && known.length() > from && known.length() <= text.length() && text.startsWith(known)
                        && (known.length() == text.length() || isSpace(known.charAt(known.length() - 1))
                        || isSpace(text.charAt(known.length())))) {
                    from = known.length();
                    total = recent.counts[k];
                }
            }
            total += countFrom(text, from);
            recent.texts[recent.next] = text;
            recent.counts[recent.next] = total;
            recent.next = (recent.next + 1) % recent.texts.length;
            return total;
        }

        private static int countFrom(String text, int from) {
            int total = 0;
            int start = -1;
            for (int i = from; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean punctuation = isPunctuation(c);
                if (punctuation || isSpace(c)) {
                    if (start >= 0) {
                        total += word(text.substring(start, i));
                        start = -1;
                    }
                    if (punctuation) {
                        total += word(text.substring(i, i + 1));
                    }
                } else if (start < 0) {
                    start = i;
                }
            }
            return start < 0 ? total : total + word(text.substring(start));
        }

        /** Whitespace to BERT's pre-tokenizer too; it splits at more (other Unicode spaces), never at fewer. */
        private static boolean isSpace(char c) {
            return c == ' ' || c == '\n' || c == '\t' || c == '\r';
        }

        /**
         * ASCII punctuation, which BERT's pre-tokenizer makes a word of its own: "(model," counts
         * as "(", "model" and ",", so a word is tokenized once however it is punctuated (half
         * the tokenizer calls of a blog's text, with many code samples). Not the brackets:
         * "[SEP]" written in a text is one special token to the tokenizer, found before it splits.
         */
        private static boolean isPunctuation(char c) {
            return c > ' ' && c < 0x7f && !Character.isLetterOrDigit(c) && c != '[' && c != ']';
        }

        private static int word(String word) {
            if (word.length() > MAX_KEPT_CHARS) {
                return TOKENS.estimateTokenCountInText(word);
            }
            Integer known = WORDS.get(word);
            if (known != null) {
                return known;
            }
            int n = TOKENS.estimateTokenCountInText(word);
            if (WORDS.size() < MAX_WORDS) {
                WORDS.put(word, n);
            }
            return n;
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
            Throwable first = preloadFailure;
            if (first != null) {
                throw new IllegalStateException("the local embedding model could not be loaded: " + first, first);
            }
            throw e;
        }
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
        if (texts.size() == 1) {
            return List.of(model.embed(texts.get(0)));
        }
        List<Future<float[]>> runs = new ArrayList<>(texts.size());
        for (String text : texts) {
            runs.add(Model.TEXTS.submit(() -> model.embed(text)));
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
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
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
        return Tokens.count(text);
    }
}

package feedsearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import feedsearch.embed.LocalEmbedder;
import feedsearch.feed.FeedEntry;
import feedsearch.feed.FeedReader;
import feedsearch.feed.PostId;
import feedsearch.fetch.Fetcher;
import feedsearch.search.Hit;
import feedsearch.search.Searcher;
import feedsearch.store.LocalStore;
import feedsearch.store.PostRecord;
import feedsearch.store.SearchFilter;
import feedsearch.testing.CommandRun;
import feedsearch.testing.FeedServer;
import feedsearch.testing.SampleFeed;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 8, point 2: broken and hostile feeds never crash, hang or garble the ingest command, and
 * never harm what is already stored.
 *
 * <p>{@value #DEFAULT_CASES} feeds are generated from one seed, each by one named kind of damage
 * (truncation, random bytes, wrong encodings, entity tricks, deep nesting, ...). Each is served by
 * a real loopback HTTP server, or written to a local file, and read by the real {@code ingest}
 * command in process, into a store that already holds the sample feed's 12 posts. Every run must
 * end within {@link #PER_CASE} with exit 0 or 1, print failures as single recognisable lines on
 * stderr, print no stack trace and no control characters, never show or store a local file
 * through an XML entity, and never fetch an external DTD or entity. Afterwards the 12 sample
 * posts must be exactly as they were.
 *
 * <p>Every case's input follows from the seed and the case's number alone (but for the server's
 * port and the temporary folder, which a few cases name). Replay a run with {@code -Dfeedsearch.fuzz.seed=N}, one
 * case of it with {@code -Dfeedsearch.fuzz.case=K}; {@code -Dfeedsearch.fuzz.cases=N} runs more
 * or fewer; {@code -Dfeedsearch.fuzz.verbose=true} prints what each run printed. Inputs of failing
 * cases (of every case, when verbose) are saved under {@code target/feed-fuzz/}. For example:
 * <pre>
 * mvn -B -o -pl ingest-cli -am test -Dtest=FeedFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dfeedsearch.fuzz.seed=20260811 -Dfeedsearch.fuzz.case=181 -Dfeedsearch.fuzz.verbose=true
 * </pre>
 * ({@code -am} builds {@code common} from this tree rather than taking whichever build of it
 * was last installed in the local repository.)
 */
class FeedFuzzTest {
    static final long DEFAULT_SEED = 20_260_811L;
    static final int DEFAULT_CASES = 300;
    /** Far above what any case needs (--timeout 3 bounds each fetch), far below a hang. */
    static final Duration PER_CASE = Duration.ofSeconds(30);

    private static final String PASSWD_MARK = "root:x:0:0";
    private static final String RSS_TYPE = "application/rss+xml; charset=utf-8";
    private static final String ATOM_TYPE = "application/atom+xml";
    private static final String XML_DECL = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The kinds of damage, taken in turn, so that every kind is in every run. */
    private static final List<Kind> KINDS = List.of(
            new Kind("truncated-rss", FeedFuzzTest::truncatedRss),
            new Kind("truncated-atom", FeedFuzzTest::truncatedAtom),
            new Kind("random-bytes", FeedFuzzTest::randomBytes),
            new Kind("mutated-feed", FeedFuzzTest::mutatedFeed),
            new Kind("wrong-root", FeedFuzzTest::wrongRoot),
            new Kind("deep-nesting", FeedFuzzTest::deepNesting),
            new Kind("huge-attribute", FeedFuzzTest::hugeAttribute),
            new Kind("huge-title", FeedFuzzTest::hugeTitle),
            new Kind("wrong-encoding", FeedFuzzTest::wrongEncoding),
            new Kind("control-chars", FeedFuzzTest::controlChars),
            new Kind("entity-tricks", FeedFuzzTest::entityTricks),
            new Kind("unterminated", FeedFuzzTest::unterminated),
            new Kind("odd-links", FeedFuzzTest::oddLinks),
            new Kind("garbage-dates", FeedFuzzTest::garbageDates),
            new Kind("empty-or-blank", FeedFuzzTest::emptyOrBlank),
            new Kind("html-not-feed", FeedFuzzTest::htmlNotFeed),
            new Kind("json-not-feed", FeedFuzzTest::jsonNotFeed),
            new Kind("binary-body", FeedFuzzTest::binaryBody),
            new Kind("gzip-body", FeedFuzzTest::gzipBody),
            new Kind("doctype-tricks", FeedFuzzTest::doctypeTricks),
            new Kind("many-or-broken-items", FeedFuzzTest::manyOrBrokenItems),
            new Kind("namespace-chaos", FeedFuzzTest::namespaceChaos));

    private static final Pattern FAILURE = Pattern.compile("failed: \\S.*");
    private static final Pattern INDEXING_FAILURE = Pattern.compile("ingest: \\d+ passages could not be indexed; last error: .*");
    /** What stderr may hold, line by line; a message with a line break in it leaves a line that fits none. */
    private static final List<Pattern> STDERR_LINES = List.of(
            Pattern.compile("ingest: using local store .+, embedder local/all-minilm-l6-v2-q"),
            Pattern.compile("feed \\S+: \\d+ entries"),
            Pattern.compile("feed \\S+: not modified since the last run"),
            Pattern.compile("(added|updated|unchanged) +.*\\(.*\\)"),
            Pattern.compile("index: \\d+ passages, \\d+% indexed"),
            FAILURE, INDEXING_FAILURE);
    private static final List<Pattern> STDOUT_LINES = List.of(
            Pattern.compile("ingest: \\d+ added, \\d+ updated, \\d+ unchanged, \\d+ failed.*"),
            Pattern.compile("embedding: \\d+ requests, \\d+ tokens"));

    @TempDir
    Path dir;

    private FeedServer server;
    private Path store;
    private String secret;

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void malformedFeedsFailCleanlyAndLeaveStoredPostsIntact() throws Exception {
        long seed = Long.getLong("feedsearch.fuzz.seed", DEFAULT_SEED);
        int cases = Integer.getInteger("feedsearch.fuzz.cases", DEFAULT_CASES);
        Integer only = Integer.getInteger("feedsearch.fuzz.case");
        boolean verbose = Boolean.getBoolean("feedsearch.fuzz.verbose");
        System.out.println("FeedFuzzTest: seed " + seed + " (replay with -Dfeedsearch.fuzz.seed=" + seed + ")");

        store = dir.resolve("index");
        secret = "fuzz-secret-" + HexFormat.of().toHexDigits(seed);
        Files.createDirectories(dir.resolve("secret"));
        Files.writeString(dir.resolve("secret").resolve("secret.txt"), secret + "\n");
        boolean passwd = Files.isReadable(Path.of("/etc/passwd"))
                && Files.readString(Path.of("/etc/passwd"), ISO_8859_1).contains(PASSWD_MARK);

        CommandRun sample = ingest("--feed", SampleFeed.path().toString(), "--quiet");
        assertEquals(0, sample.exitCode(), sample.toString());
        Map<String, PostRecord> before = samplePosts();
        assertEquals(12, before.size(), "the sample feed's posts are stored: " + before.keySet());

        long started = System.nanoTime();
        List<String> problems = new ArrayList<>();
        Map<Integer, Integer> exits = new TreeMap<>();
        Map<String, int[]> perKind = new LinkedHashMap<>();
        int ran = 0;
        server = new FeedServer();
        try {
            for (int n = only != null ? only : 0; n < (only != null ? only + 1 : cases); n++) {
                Case c = generate(seed, n);
                List<String> found = new ArrayList<>();
                Outcome outcome = run(c, found);
                ran++;
                if (outcome != null) {
                    found.addAll(check(c, outcome, passwd));
                    if (!found.isEmpty() && outcome.run.exitCode() != -1) {
                        found.add("exit " + outcome.run.exitCode() + "; stdout " + excerpt(outcome.run.out(), "")
                                + "; stderr " + excerpt(outcome.run.err(), ""));
                    }
                    exits.merge(outcome.run.exitCode(), 1, Integer::sum);
                    perKind.computeIfAbsent(c.kind.name, k -> new int[3])[switch (outcome.run.exitCode()) {
                        case 0 -> 0;
                        case 1 -> 1;
                        default -> 2;
                    }]++;
                }
                System.out.printf("case %d %s%n", n, c.describe()
                        + (outcome == null ? " -> no result" : " -> exit " + outcome.run.exitCode()
                        + String.format(" (%.1f s)", outcome.seconds) + firstFailure(outcome.run.err()))
                        + (found.isEmpty() ? "" : " PROBLEM"));
                if (verbose && outcome != null) {
                    System.out.println("  input saved as " + save(seed, c) + "\n" + outcome.run);
                }
                if (!found.isEmpty()) {
                    problems.add("case " + n + " " + c.describe() + " [input saved as " + save(seed, c) + "]\n  "
                            + String.join("\n  ", found));
                }
                if (outcome == null) {
                    break; // a hung run may still hold the store's lock: every later case would fail for that
                }
            }
        } finally {
            server.close();
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        // The store that held the sample posts before the fuzzing still holds them, untouched.
        CommandRun status = CommandRun.of(new IngestCommand(), "status", "--json", "--store-path", store.toString());
        assertEquals(0, status.exitCode(), status.toString());
        long posts = JSON.readTree(status.out()).get("posts").asLong();
        Map<String, PostRecord> after = samplePosts();
        CommandRun again = ingest("--feed", SampleFeed.path().toString());
        List<String> urls;
        try (LocalStore reading = LocalStore.openForReading(store); LocalEmbedder embedder = new LocalEmbedder()) {
            urls = new Searcher(reading, reading.requireMeta(), embedder)
                    .search("how do I build a bot", 5, SearchFilter.NONE, -1).stream().map(Hit::url).toList();
        }
        List<String> leaks = storedValuesContaining(passwd ? List.of(secret, PASSWD_MARK) : List.of(secret));

        String summary = String.format("FeedFuzzTest: %d cases, %d exit 0, %d exit 1, %d other, %d with problems, "
                        + "seed %d, %.1f s; store holds %d posts", ran, exits.getOrDefault(0, 0), exits.getOrDefault(1, 0),
                ran - exits.getOrDefault(0, 0) - exits.getOrDefault(1, 0), problems.size(), seed, seconds, posts);
        System.out.println(summary);
        StringBuilder kinds = new StringBuilder("FeedFuzzTest: exit 0/1 per kind:");
        perKind.forEach((k, v) -> kinds.append(' ').append(k).append(' ').append(v[0]).append('/').append(v[1])
                .append(v[2] > 0 ? "/" + v[2] + " other" : ""));
        System.out.println(kinds);

        String misbehaved = problems.size() + " of " + ran + " cases misbehaved (seed " + seed
                + "; replay one with -Dfeedsearch.fuzz.seed=" + seed + " -Dfeedsearch.fuzz.case=N):\n" + String.join("\n", problems);
        assertAll(
                () -> assertTrue(problems.isEmpty(), misbehaved),
                () -> assertTrue(posts >= 12, "status counts the sample posts: " + status.out()),
                () -> assertEquals(before, after, "the sample posts' records are unchanged (text hash, chunks, ingest time)"),
                () -> assertEquals(0, again.exitCode(), again.toString()),
                () -> assertTrue(again.out().contains("ingest: 0 added, 0 updated, 12 unchanged, 0 failed"), again.toString()),
                () -> assertTrue(urls.contains("https://workbench.example.org/2024/01/team-chat-bot/"),
                        "the sample's bot post is still found: " + urls),
                () -> assertTrue(leaks.isEmpty(), "no local file's content reached the index: " + leaks));
    }

    // ------------------------------------------------------------------ running and checking a case

    /** A finished run, with whatever went around the command's own writers to System.out/err. */
    private record Outcome(CommandRun run, String stray, double seconds) {
    }

    private Case generate(long seed, int n) {
        Kind kind = KINDS.get(n % KINDS.size());
        int variantIndex = n / KINDS.size() + (int) Math.floorMod(seed, 9973L);
        Case c = new Case(n, caseRandom(seed, n), kind, variantIndex, server.base() + "/fuzz/" + n + "/",
                "/fuzz/" + n + "/");
        c.local = c.rnd.nextInt(4) == 0;
        c.secretUri = dir.resolve("secret").resolve("secret.txt").toUri().toString();
        kind.generate.accept(c);
        int mode = c.rnd.nextInt(10);
        if (mode < 2) {
            c.mode = "json";
        } else if (mode < 3) {
            c.mode = "quiet";
        }
        c.concurrency = 1 + c.rnd.nextInt(4);
        c.smallCap = c.rnd.nextInt(10) == 0;
        return c;
    }

    /** The case's own generator: its input depends on the seed and its number only. */
    private static Random caseRandom(long seed, int n) {
        // SplittableRandom mixes its seed well; java.util.Random's first draws for neighbouring seeds are alike.
        return new Random(new SplittableRandom(seed + n * 0x9E3779B97F4A7C15L).nextLong());
    }

    /** Publishes the case and runs ingest on it; null when it did not finish in time. */
    private Outcome run(Case c, List<String> problems) throws IOException {
        String location;
        for (Map.Entry<String, Page> page : c.pages.entrySet()) {
            server.serveRaw(c.serverPath + page.getKey(), page.getValue().contentType, page.getValue().body, Map.of());
        }
        if (c.local) {
            Path folder = Files.createDirectories(dir.resolve("feeds").resolve(String.valueOf(c.number)));
            for (Map.Entry<String, Page> page : c.pages.entrySet()) {
                Files.write(folder.resolve(page.getKey()), page.getValue().body);
            }
            Path feed = folder.resolve("feed.xml");
            Files.write(feed, c.body);
            location = feed.toString();
        } else {
            server.serveRaw(c.serverPath + "feed.xml", c.contentType, c.body, c.headers);
            location = c.serverDir + "feed.xml";
        }
        List<String> args = new ArrayList<>(List.of("--store-path", store.toString(), "--feed", location,
                "--timeout", "3", "--concurrency", String.valueOf(c.concurrency)));
        if (c.smallCap) {
            args.addAll(List.of("--max-page-size", "1"));
        }
        if (!c.mode.equals("plain")) {
            args.add("--" + c.mode);
        }
        args.addAll(c.args);

        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stray = new ByteArrayOutputStream();
        PrintStream strayStream = new PrintStream(stray, true, UTF_8);
        long started = System.nanoTime();
        try {
            System.setOut(strayStream);
            System.setErr(strayStream);
            CommandRun run = assertTimeoutPreemptively(PER_CASE, () -> {
                try {
                    return CommandRun.of(new IngestCommand(), args.toArray(String[]::new));
                } catch (Throwable thrown) {
                    problems.add("the command threw " + thrown + " (the launcher prints its stack trace): "
                            + frames(thrown));
                    return new CommandRun(-1, "", "");
                }
            });
            return new Outcome(run, stray.toString(UTF_8), (System.nanoTime() - started) / 1e9);
        } catch (AssertionFailedError timeout) {
            problems.add("no result within " + PER_CASE.toSeconds() + " s (hang): " + timeout.getMessage());
            return null;
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private List<String> check(Case c, Outcome o, boolean passwd) {
        List<String> problems = new ArrayList<>();
        CommandRun run = o.run;
        String all = run.out() + run.err() + o.stray;
        if (run.exitCode() == -1) {
            return problems; // already reported as a throw
        }
        if (run.exitCode() != 0 && run.exitCode() != 1) {
            problems.add("exit " + run.exitCode() + ", expected 0 or 1");
        }
        for (String banned : List.of("\tat ", "Exception in thread", "unexpected error")) {
            if (all.contains(banned)) {
                problems.add("output contains '" + banned.strip() + "': " + excerpt(all, banned));
            }
        }
        if (!o.stray.isBlank()) {
            problems.add("printed around the command's writers: " + excerpt(o.stray, ""));
        }
        if (all.contains(secret) || (passwd && all.contains(PASSWD_MARK))) {
            problems.add("a local file's content was printed");
        }
        for (String path : c.forbidden) {
            if (server.hits(path) > 0) {
                problems.add("fetched " + path + ", an external DTD or entity named by the feed");
            }
        }

        List<String> errLines = run.err().lines().toList();
        List<Pattern> allowedErr = c.mode.equals("plain") ? STDERR_LINES : List.of(FAILURE, INDEXING_FAILURE);
        for (String line : errLines) {
            if (allowedErr.stream().noneMatch(p -> p.matcher(line).matches())) {
                problems.add("unrecognised stderr line (a message broken over lines?): " + quote(line));
            }
            if (hasControl(line)) {
                problems.add("control or bidi character on stderr: " + quote(line));
            }
        }
        boolean failedLine = errLines.stream().anyMatch(l -> FAILURE.matcher(l).matches() || INDEXING_FAILURE.matcher(l).matches());
        if (run.exitCode() == 1 && !failedLine) {
            problems.add("exit 1 without a failure on stderr");
        }
        if (run.exitCode() == 0 && failedLine) {
            problems.add("exit 0 with a failure on stderr");
        }
        if (c.mustFail && (run.exitCode() != 1 || errLines.stream().noneMatch(l -> l.startsWith("failed: feed ")))) {
            problems.add("not a feed, yet no 'failed: feed ...' line and exit 1");
        }

        List<String> outLines = run.out().lines().toList();
        switch (c.mode) {
            case "quiet" -> {
                if (!run.out().isEmpty()) {
                    problems.add("--quiet printed on stdout: " + excerpt(run.out(), ""));
                }
            }
            case "json" -> checkJsonLines(outLines, run.exitCode(), problems);
            default -> {
                for (String line : outLines) {
                    if (STDOUT_LINES.stream().noneMatch(p -> p.matcher(line).matches()) || hasControl(line)) {
                        problems.add("unrecognised stdout line: " + quote(line));
                    }
                }
                if (outLines.stream().noneMatch(l -> l.startsWith("ingest: "))) {
                    problems.add("no summary on stdout");
                }
            }
        }
        return problems;
    }

    private static void checkJsonLines(List<String> lines, int exitCode, List<String> problems) {
        JsonNode last = null;
        for (String line : lines) {
            try {
                last = JSON.readTree(line);
                String type = last.path("type").asText();
                if (!last.isObject() || !List.of("post", "feed", "summary").contains(type)) {
                    problems.add("JSON line of no known type: " + quote(line));
                }
            } catch (IOException e) {
                problems.add("stdout line is not JSON: " + quote(line));
                return;
            }
        }
        if (last == null || !last.path("type").asText().equals("summary")) {
            problems.add("--json output does not end with its summary");
        } else if ((last.path("failed").asLong() + last.path("failed_feeds").asLong() > 0) != (exitCode == 1)) {
            problems.add("exit " + exitCode + " disagrees with the JSON summary " + last);
        }
    }

    /** The run's first failure line, cut short, for the log of cases. */
    private static String firstFailure(String err) {
        return err.lines().filter(l -> l.startsWith("failed: ")).findFirst()
                .map(l -> " | " + (l.length() > 160 ? l.substring(0, 160) + "..." : l)).orElse("");
    }

    private CommandRun ingest(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--store-path";
        all[1] = store.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandRun.of(new IngestCommand(), all);
    }

    /** The sample posts' records, by post id, as the store holds them now. */
    private Map<String, PostRecord> samplePosts() throws Exception {
        Map<String, PostRecord> posts = new TreeMap<>();
        try (Fetcher fetcher = new Fetcher(Duration.ofSeconds(5), 10 << 20, "feedsearch-test", false);
             LocalStore reading = LocalStore.openForReading(store)) {
            URI sample = FeedReader.locate(SampleFeed.path().toString());
            for (FeedEntry entry : new FeedReader(fetcher).read(sample, null, null).entries()) {
                String id = PostId.of(entry.link()).value();
                reading.post(id).ifPresent(p -> posts.put(id, p));
            }
        }
        return posts;
    }

    /** Every stored value in the index, deleted documents included, that holds one of the marks. */
    private List<String> storedValuesContaining(List<String> marks) throws IOException {
        List<String> found = new ArrayList<>();
        try (FSDirectory directory = FSDirectory.open(store); DirectoryReader reader = DirectoryReader.open(directory)) {
            StoredFields fields = reader.storedFields();
            for (int doc = 0; doc < reader.maxDoc(); doc++) {
                Document d = fields.document(doc);
                for (IndexableField f : d) {
                    String value = f.stringValue();
                    for (String mark : marks) {
                        if (value != null && value.contains(mark)) {
                            found.add(f.name() + " of " + d.get("url") + ": " + excerpt(value, mark));
                        }
                    }
                }
            }
        }
        return found;
    }

    private static String save(long seed, Case c) {
        try {
            Path folder = Files.createDirectories(Path.of("target", "feed-fuzz"));
            Path file = folder.resolve("seed-" + seed + "-case-" + c.number + ".bin");
            Files.write(file, c.body);
            return file.toAbsolutePath().toString();
        } catch (IOException e) {
            return "(not saved: " + e + ")";
        }
    }

    private static boolean hasControl(String line) {
        return line.codePoints().anyMatch(cp -> (Character.isISOControl(cp) && cp != '\t')
                || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
                || cp == 0x200e || cp == 0x200f || cp == 0x061c || cp == 0x2028 || cp == 0x2029);
    }

    private static String frames(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(3, st.length); i++) {
            sb.append(i == 0 ? "" : " <- ").append(st[i]);
        }
        return sb.toString();
    }

    private static String excerpt(String text, String around) {
        int at = Math.max(0, text.indexOf(around));
        int from = Math.max(0, at - 80);
        return quote(text.substring(from, Math.min(text.length(), at + around.length() + 200)));
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().limit(400).forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e)) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append(s.length() > 400 ? "...\"" : "\"").toString();
    }

    // ------------------------------------------------------------------ the case model

    private record Kind(String name, Consumer<Case> generate) {
    }

    private record Page(String contentType, byte[] body) {
    }

    /** One generated input, how it is served, and what is known about it. */
    private static final class Case {
        final int number;
        final Random rnd;
        final Kind kind;
        /** Which variant of its kind this case is: the kind's cases take the variants in turn. */
        final int variantIndex;
        /** Absolute URL of the folder the feed is served from, with a trailing slash. */
        final String serverDir;
        final String serverPath;
        final List<String> details = new ArrayList<>();
        final List<String> args = new ArrayList<>();
        /** Served next to the feed (and written next to it when the feed is a local file). */
        final Map<String, Page> pages = new LinkedHashMap<>();
        /** Server paths that the run must never request. */
        final List<String> forbidden = new ArrayList<>();
        boolean local;
        /** A local file whose text must never be printed or stored. */
        String secretUri;
        byte[] body = new byte[0];
        String contentType = RSS_TYPE;
        Map<String, String> headers = Map.of();
        /** No reading of it can be a feed: the run must exit 1 and say which feed failed. */
        boolean mustFail;
        String mode = "plain";
        int concurrency;
        boolean smallCap;

        Case(int number, Random rnd, Kind kind, int variantIndex, String serverDir, String serverPath) {
            this.number = number;
            this.rnd = rnd;
            this.variantIndex = variantIndex;
            this.kind = kind;
            this.serverDir = serverDir;
            this.serverPath = serverPath;
        }

        void xml(String text) {
            body = text.getBytes(UTF_8);
        }

        /** The point of this case is in HTTP headers. */
        void httpOnly() {
            local = false;
        }

        void note(String detail) {
            details.add(detail);
        }

        @SafeVarargs
        final <T> T pick(T... options) {
            return options[rnd.nextInt(options.length)];
        }

        /**
         * The main choice of a generator: successive cases of a kind take the options in turn (from
         * a place the seed chooses), so that a run of a few hundred cases has every one of them.
         */
        @SafeVarargs
        final <T> T variant(T... options) {
            return options[variantIndex % options.length];
        }

        int between(int min, int max) {
            return min + rnd.nextInt(max - min + 1);
        }

        /** A resource on the server that the feed names but the run must not fetch; it returns its URL. */
        String forbid(String name, String content) {
            pages.put(name, new Page("application/xml-dtd", content.getBytes(UTF_8)));
            forbidden.add(serverPath + name);
            return serverDir + name;
        }

        String describe() {
            return "(" + kind.name + (details.isEmpty() ? "" : ": " + String.join(", ", details)) + "; "
                    + (local ? "local file" : "http " + contentType + (headers.isEmpty() ? "" : " " + headers))
                    + ", " + body.length + " bytes; " + mode + (smallCap ? ", --max-page-size 1" : "")
                    + (args.isEmpty() ? "" : ", " + String.join(" ", args)) + ")";
        }
    }

    // ------------------------------------------------------------------ well-formed feeds to damage

    private static final String[] WORDS = ("garden river lantern copper window meadow harbor pencil orchard violin "
            + "granite maple thunder basket saddle compass tunnel marble candle feather ladder pebble falcon quilt "
            + "harvest mirror kettle prairie glacier chimney velvet anchor bramble cobalt ember fjord gravel hazel "
            + "island juniper kiln linen mosaic nectar oyster parcel quarry ribbon spindle thimble umber valley "
            + "walnut yarrow zephyr almond beacon canyon dune estuary fern grove heron iris jasmine kestrel lagoon "
            + "moss nutmeg olive plume quartz reed sorrel tide upland vine willow acorn brook cedar delta elm "
            + "flint gorse heath ivy jetty knoll loam marsh nettle oak pond rook slate thistle"
            + " under over beside through after before while slowly quietly often rarely always").split(" ");

    /** An entry before it is written out; every field is XML text, already escaped, null when absent. */
    private static final class Item {
        String title;
        String link;
        String guid;
        Instant published;
        /** Written instead of the formatted {@link #published}. */
        String date;
        String summary;
        /** The article as HTML: CDATA in RSS, escaped in Atom. */
        String html;
        /** Markup written as it is inside the content element instead of {@link #html}. */
        String contentXml;
        String extra = "";
    }

    private static String words(Random rnd, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    private static String title(Random rnd) {
        String w = words(rnd, 3 + rnd.nextInt(5));
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    /** Whole-article HTML (130 to 200 words), so that no page needs fetching. */
    private static String articleHtml(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int words = 130 + rnd.nextInt(71);
        while (words > 0) {
            int n = Math.min(words, 25 + rnd.nextInt(20));
            sb.append("<p>").append(title(rnd)).append(' ').append(words(rnd, n)).append(".</p>\n");
            words -= n + 1;
        }
        return sb.toString();
    }

    private static Item article(Case c, int k) {
        Item item = new Item();
        item.title = title(c.rnd);
        item.link = "posts/" + c.number + "-" + k + ".html";
        item.guid = item.link;
        item.published = Instant.ofEpochSecond(1_500_000_000L + c.rnd.nextInt(300_000_000));
        item.summary = words(c.rnd, 12);
        item.html = articleHtml(c.rnd);
        return item;
    }

    /** An entry with a teaser only: its text must come from its page. */
    private static Item teaser(Case c, int k, String link) {
        Item item = article(c, k);
        item.html = null;
        item.link = link;
        item.guid = null;
        return item;
    }

    private static List<Item> articles(Case c) {
        List<Item> items = new ArrayList<>();
        for (int k = 0, n = c.between(1, 3); k < n; k++) {
            items.add(article(c, k));
        }
        return items;
    }

    private static String rss(List<Item> items) {
        return rss(XML_DECL, "", items);
    }

    private static String rss(String prolog, String channelExtra, List<Item> items) {
        StringBuilder sb = new StringBuilder(prolog)
                .append("<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\""
                        + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n<title>Fuzz feed</title>\n"
                        + "<link>https://fuzz.example/</link>\n<description>Generated</description>\n")
                .append(channelExtra);
        for (Item i : items) {
            sb.append("<item>").append(i.extra);
            element(sb, "title", i.title);
            element(sb, "link", i.link);
            element(sb, "guid", i.guid);
            element(sb, "pubDate", i.date != null ? i.date
                    : i.published == null ? null : DateTimeFormatter.RFC_1123_DATE_TIME.format(i.published.atOffset(ZoneOffset.UTC)));
            element(sb, "description", i.summary);
            if (i.contentXml != null) {
                element(sb, "content:encoded", i.contentXml);
            } else if (i.html != null) {
                element(sb, "content:encoded", "<![CDATA[" + i.html + "]]>");
            }
            sb.append("</item>\n");
        }
        return sb.append("</channel>\n</rss>\n").toString();
    }

    private static String atom(List<Item> items) {
        return atom(XML_DECL, "", items);
    }

    private static String atom(String prolog, String feedExtra, List<Item> items) {
        StringBuilder sb = new StringBuilder(prolog)
                .append("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>Fuzz feed</title>\n<id>urn:fuzz:feed</id>\n"
                        + "<updated>2024-01-01T00:00:00Z</updated>\n")
                .append(feedExtra);
        int k = 0;
        for (Item i : items) {
            sb.append("<entry>").append(i.extra);
            element(sb, "title", i.title);
            if (i.link != null) {
                sb.append("<link rel=\"alternate\" href=\"").append(i.link).append("\"/>");
            }
            element(sb, "id", i.guid != null ? i.guid : "urn:fuzz:entry:" + k++);
            element(sb, "updated", i.date != null ? i.date : i.published == null ? null : i.published.toString());
            element(sb, "summary", i.summary);
            if (i.contentXml != null) {
                sb.append("<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">").append(i.contentXml)
                        .append("</div></content>");
            } else if (i.html != null) {
                sb.append("<content type=\"html\">").append(esc(i.html)).append("</content>");
            }
            sb.append("</entry>\n");
        }
        return sb.append("</feed>\n").toString();
    }

    private static String rssOrAtom(Case c, List<Item> items) {
        boolean atom = c.rnd.nextBoolean();
        c.note(atom ? "Atom" : "RSS");
        if (atom) {
            c.contentType = ATOM_TYPE;
        }
        return atom ? atom(items) : rss(items);
    }

    private static void element(StringBuilder sb, String name, String text) {
        if (text != null) {
            sb.append('<').append(name).append('>').append(text).append("</").append(name).append('>');
        }
    }

    /** The text with the first {@code target} (literal, not a pattern) replaced. */
    private static String first(String text, String target, String with) {
        int at = text.indexOf(target);
        return at < 0 ? text : text.substring(0, at) + with + text.substring(at + target.length());
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&apos;");
    }

    private static String repeat(Random rnd, int chars) {
        StringBuilder sb = new StringBuilder(chars + 16);
        while (sb.length() < chars) {
            sb.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
        }
        sb.setLength(chars);
        return sb.toString();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    // ------------------------------------------------------------------ the generators, one per kind of damage

    /** A valid RSS 2.0 feed cut at a random byte before its end. */
    static void truncatedRss(Case c) {
        truncate(c, rss(articles(c)), "</rss>");
    }

    /** A valid Atom feed cut at a random byte before its end. */
    static void truncatedAtom(Case c) {
        c.contentType = ATOM_TYPE;
        truncate(c, atom(articles(c)), "</feed>");
    }

    private static void truncate(Case c, String xml, String rootEnd) {
        byte[] whole = xml.getBytes(UTF_8);
        int end = xml.lastIndexOf(rootEnd) + rootEnd.length(); // ASCII: chars are bytes
        int cut = c.rnd.nextInt(end);
        c.body = Arrays.copyOf(whole, cut);
        c.mustFail = true;
        c.note("cut at byte " + cut + " of " + whole.length);
    }

    private static final String[] CONTENT_TYPES = {RSS_TYPE, ATOM_TYPE, "text/xml", "application/xml; charset=iso-8859-1",
            "text/html", "text/plain", "application/octet-stream", "image/png", "application/json", null, "",
            "garbage", "text/xml; charset=\"utf-16\"", "application/rss+xml; charset=klingon"};

    /** Noise, sometimes behind an XML declaration and a root tag. */
    static void randomBytes(Case c) {
        int length = c.rnd.nextInt(c.variant(16, 256, 4096, 65536));
        byte[] noise = new byte[length];
        c.rnd.nextBytes(noise);
        String prefix = c.pick("", "", XML_DECL, XML_DECL + "<rss version=\"2.0\"><channel><item><title>",
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">");
        c.body = concat(prefix.getBytes(UTF_8), noise);
        c.contentType = c.pick(CONTENT_TYPES);
        c.mustFail = true;
        c.note(length + " random bytes" + (prefix.isEmpty() ? "" : " after " + quote(prefix)));
    }

    private static final String[] MUTATION_TOKENS = {"<", ">", "&", "&amp", "]]>", "<![CDATA[", "</item>", "<item>",
            "</entry>", "\"", "'", "<!--", "-->", "\u0000", "\u00ff", "\u00c3", "<?", "?>", "&#0;", "&#xD800;",
            "<x:y>", "\r", "<title>", "</channel>", "&#x10FFFF;", "&lol;"};

    /** A valid feed with a few random edits: spans deleted or repeated, markup characters and bad bytes inserted. */
    static void mutatedFeed(Case c) {
        StringBuilder doc = new StringBuilder(new String(rssOrAtom(c, articles(c)).getBytes(UTF_8), ISO_8859_1));
        int edits = c.between(1, 8);
        for (int e = 0; e < edits; e++) {
            int at = c.rnd.nextInt(doc.length());
            int span = Math.min(doc.length() - at, 1 + c.rnd.nextInt(40));
            switch (c.rnd.nextInt(5)) {
                case 0 -> doc.delete(at, at + span);
                case 1 -> doc.insert(at, doc.substring(at, at + span));
                case 2 -> doc.setCharAt(at, (char) c.rnd.nextInt(256));
                default -> doc.insert(at, new String(c.pick(MUTATION_TOKENS).getBytes(UTF_8), ISO_8859_1));
            }
        }
        c.body = doc.toString().getBytes(ISO_8859_1);
        c.note(edits + " edits");
    }

    /** Well-formed XML that is no feed, or a feed-like root that is not quite one. */
    static void wrongRoot(Case c) {
        String items = rss(articles(c));
        String channel = items.substring(items.indexOf("<channel>"), items.indexOf("</rss>"));
        String[][] docs = {
                {"html", "<?xml version=\"1.0\"?><html><head><title>x</title></head><body><p>hello</p></body></html>", "fail"},
                {"opml", "<opml version=\"2.0\"><head><title>subs</title></head>"
                        + "<body><outline text=\"a\" xmlUrl=\"feed.xml\"/></body></opml>", "fail"},
                {"svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>x</text></svg>", "fail"},
                {"item", "<item><title>lonely</title><link>posts/x.html</link></item>", "fail"},
                {"channel", channel, "fail"},
                {"catalog", "<catalog><book id=\"1\"><title>x</title></book></catalog>", "fail"},
                {"empty rss", "<rss version=\"2.0\"/>", ""},
                {"rss 99", items.replace("version=\"2.0\"", "version=\"99\""), ""},
                {"RSS capitalised", items.replace("<rss ", "<RSS ").replace("</rss>", "</RSS>"), ""},
                {"Atom without namespace", atom(articles(c)).replace(" xmlns=\"http://www.w3.org/2005/Atom\"", ""), ""},
                {"Atom in another namespace", atom(articles(c)).replace("http://www.w3.org/2005/Atom", "urn:not-atom"), ""},
                {"rdf without rss namespace", "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
                        + channel + "</rdf:RDF>", ""},
                {"prefixed rss", "<f:rss xmlns:f=\"urn:x\" version=\"2.0\"><f:channel><f:title>t</f:title></f:channel></f:rss>", ""},
        };
        String[] doc = c.variant(docs);
        c.xml(doc[1]);
        c.mustFail = doc[2].equals("fail");
        c.contentType = c.pick(RSS_TYPE, "application/xml", "text/xml");
        c.note(doc[0]);
    }

    /** 10,000 nested elements (sometimes fewer or more) in one of the places a parser recurses. */
    static void deepNesting(Case c) {
        int depth = c.pick(1_000, 10_000, 10_000, 10_000, 30_000);
        String name = c.pick("a", "div", "span", "x");
        String nest = ("<" + name + ">").repeat(depth) + "deep" + ("</" + name + ">").repeat(depth);
        List<Item> items = articles(c);
        String where = c.variant("description", "content:encoded", "atom xhtml content", "channel", "item", "title", "root");
        switch (where) {
            case "description" -> {
                items.get(0).summary = nest;
                c.xml(rss(items));
            }
            case "content:encoded" -> {
                items.get(0).contentXml = nest;
                c.xml(rss(items));
            }
            case "atom xhtml content" -> {
                items.get(0).contentXml = nest;
                c.contentType = ATOM_TYPE;
                c.xml(atom(items));
            }
            case "channel" -> c.xml(rss(XML_DECL, nest, items));
            case "item" -> {
                items.get(0).extra = nest;
                c.xml(rss(items));
            }
            case "title" -> {
                items.get(0).title = nest;
                c.xml(rss(items));
            }
            default -> {
                c.xml(XML_DECL + nest);
                c.mustFail = true;
            }
        }
        c.note(depth + " <" + name + "> in " + where);
    }

    /** A 1 MiB attribute value, on the root, the channel, an item, or as a link. */
    static void hugeAttribute(Case c) {
        int size = 1 << 20;
        String shape = c.pick("letters", "entities", "whitespace");
        String value = switch (shape) {
            case "letters" -> repeat(c.rnd, size);
            case "entities" -> "&amp;&lt;&quot;".repeat(size / 16);
            default -> " \t\n\r".repeat(size / 4);
        };
        List<Item> items = articles(c);
        String where = c.variant("rss", "channel", "item", "content", "link href");
        String xml;
        if (where.equals("link href")) {
            items.get(0).link = "https://fuzz.example/" + value.replaceAll("[^a-z]", "x");
            xml = rssOrAtom(c, items);
        } else {
            String tag = switch (where) {
                case "rss" -> "<rss ";
                case "channel" -> "<channel>";
                case "item" -> "<item>";
                default -> "<content:encoded>";
            };
            String open = tag.endsWith(">") ? tag.substring(0, tag.length() - 1) + " huge=\"" + value + "\">"
                    : tag + "huge=\"" + value + "\" ";
            xml = first(rss(items), tag, open);
        }
        c.xml(xml);
        c.note(shape + " on " + where);
    }

    /** A 100 KB title: words, one unbroken word, lines and tabs, escaped markup or CDATA. */
    static void hugeTitle(Case c) {
        int size = 100 * 1024;
        String shape = c.variant("words", "one word", "lines", "escaped markup", "cdata markup");
        String title = switch (shape) {
            case "words" -> repeat(c.rnd, size);
            case "one word" -> "x".repeat(size);
            case "lines" -> (title(c.rnd) + "\n\t\r\n").repeat(size / 40);
            case "escaped markup" -> "&lt;b&gt;bold&lt;/b&gt; &amp; ".repeat(size / 30);
            default -> "<![CDATA[" + "<script>alert(1)</script><b>x</b>".repeat(size / 34) + "]]>";
        };
        List<Item> items = articles(c);
        items.get(c.rnd.nextInt(items.size())).title = title;
        String xml = rssOrAtom(c, items);
        if (c.rnd.nextBoolean()) {
            xml = first(xml, "<title>Fuzz feed</title>", "<title>" + title + "</title>");
            c.note("feed title too");
        }
        c.xml(xml);
        c.note(shape);
    }

    private static final String ACCENTED = "Crème brûlée — “quoted” ‘text’ … € œ naïve façade";

    /** Bytes in one encoding labelled as another, byte order marks that contradict the declaration, unknown names. */
    static void wrongEncoding(Case c) {
        List<Item> items = articles(c);
        items.get(0).title = esc(ACCENTED);
        items.get(0).html = "<p>" + ACCENTED + "</p>" + items.get(0).html;
        String body = rss("", "", items);
        Charset cp1252 = Charset.forName("windows-1252");
        String variant = c.variant("UTF-8 declared, Windows-1252 bytes", "ISO-8859-1 declared, UTF-8 bytes",
                "UTF-16 declared, UTF-8 bytes", "unknown encoding name", "UTF-8 BOM, UTF-16 declared",
                "UTF-16LE BOM, UTF-8 bytes", "UTF-16BE BOM, UTF-16LE bytes", "UTF-32 BOM, UTF-8 bytes",
                "header says UTF-16, body UTF-8", "header names an unknown charset", "valid UTF-16 with BOM",
                "Shift_JIS declared, UTF-8 bytes", "UTF-8 declared, UTF-16LE bytes", "EBCDIC (IBM037) declared and used",
                "invalid UTF-8 sequences");
        c.note(variant);
        switch (variant) {
            case "UTF-8 declared, Windows-1252 bytes" -> c.body = (XML_DECL + body).getBytes(cp1252);
            case "ISO-8859-1 declared, UTF-8 bytes" -> c.body = decl("ISO-8859-1", body).getBytes(UTF_8);
            case "UTF-16 declared, UTF-8 bytes" -> c.body = decl("UTF-16", body).getBytes(UTF_8);
            case "unknown encoding name" -> {
                String name = c.pick("utf-99", "klingon", "UTF_8", "latin-9000", "x-", "ébcdic", "..", "0");
                c.note(name);
                c.body = decl(name, body).getBytes(UTF_8);
            }
            case "UTF-8 BOM, UTF-16 declared" -> c.body = concat(bytes(0xef, 0xbb, 0xbf), decl("UTF-16", body).getBytes(UTF_8));
            case "UTF-16LE BOM, UTF-8 bytes" -> c.body = concat(bytes(0xff, 0xfe), (XML_DECL + body).getBytes(UTF_8));
            case "UTF-16BE BOM, UTF-16LE bytes" ->
                    c.body = concat(bytes(0xfe, 0xff), decl("UTF-16", body).getBytes(StandardCharsets.UTF_16LE));
            case "UTF-32 BOM, UTF-8 bytes" -> c.body = concat(bytes(0, 0, 0xfe, 0xff), (XML_DECL + body).getBytes(UTF_8));
            case "header says UTF-16, body UTF-8" -> {
                c.httpOnly();
                c.contentType = "application/rss+xml; charset=utf-16";
                c.body = (XML_DECL + body).getBytes(UTF_8);
            }
            case "header names an unknown charset" -> {
                c.httpOnly();
                c.contentType = "text/xml; charset=" + c.pick("bogus", "\"\"", "utf-8; charset=latin1", "x" + "y".repeat(300));
                c.body = (XML_DECL + body).getBytes(cp1252);
            }
            case "valid UTF-16 with BOM" -> c.body = decl("UTF-16", body).getBytes(StandardCharsets.UTF_16);
            case "Shift_JIS declared, UTF-8 bytes" -> c.body = decl("Shift_JIS", body).getBytes(UTF_8);
            case "UTF-8 declared, UTF-16LE bytes" -> c.body = (XML_DECL + body).getBytes(StandardCharsets.UTF_16LE);
            case "EBCDIC (IBM037) declared and used" -> c.body = decl("IBM037", body).getBytes(Charset.forName("IBM037"));
            default -> {
                byte[] good = (XML_DECL + body).getBytes(UTF_8);
                String text = new String(good, ISO_8859_1);
                int at = text.indexOf("<title>", text.indexOf("<item>")) + 7;
                byte[] bad = c.pick(bytes(0xc0, 0x80), bytes(0xed, 0xa0, 0x80), bytes(0xf5, 0x80, 0x80, 0x80),
                        bytes(0xe2, 0x80), bytes(0xff), bytes(0xf0, 0x9f, 0x98));
                c.body = concat(Arrays.copyOf(good, at), bad, Arrays.copyOfRange(good, at, good.length));
            }
        }
    }

    private static String decl(String encoding, String body) {
        return "<?xml version=\"1.0\" encoding=\"" + encoding + "\"?>\n" + body;
    }

    private static final String[] CONTROLS = {"\u0000", "\u0001", "\u0007", "\b", "\u000b", "\f", "\u001b[2J\u001b[31m",
            "\u001b]0;owned\u0007", "\u007f", "\u0085", "\u009b", "\ufffe", "\uffff", "\u2028", "\u2029", "\u202e", "\u200f",
            "\r", "\r\n"};

    /** Control characters, NULs, terminal escapes and bidi overrides in titles, content and links, raw or as references. */
    static void controlChars(Case c) {
        String control = c.pick(CONTROLS);
        String how = c.variant("raw", "character reference", "XML 1.1 character reference");
        String inserted = how.equals("raw") ? control
                : control.codePoints().mapToObj(cp -> "&#x" + Integer.toHexString(cp) + ";").reduce("", String::concat);
        List<Item> items = articles(c);
        Item item = items.get(c.rnd.nextInt(items.size()));
        String where = c.pick("title", "content", "link", "summary", "feed title");
        switch (where) {
            case "title" -> item.title = item.title + inserted + "after";
            case "content" -> item.contentXml = esc(item.html).replace("&lt;/p&gt;", inserted + "&lt;/p&gt;");
            case "link" -> item.link = item.link.replace(".html", inserted + ".html");
            case "summary" -> item.summary = inserted + item.summary;
            default -> { }
        }
        String xml = rss(how.startsWith("XML 1.1") ? "<?xml version=\"1.1\" encoding=\"UTF-8\"?>\n" : XML_DECL, "", items);
        if (where.equals("feed title")) {
            xml = xml.replace("<title>Fuzz feed</title>", "<title>Fuzz" + inserted + "feed</title>");
        }
        c.xml(xml);
        c.note(quote(control) + " " + how + " in " + where);
    }

    /** Entity expansion bombs, external entities (local files, loopback URLs, parameter entities), XInclude. */
    static void entityTricks(Case c) {
        List<Item> items = articles(c);
        Item item = items.get(0);
        String passwd = "file:///etc/passwd";
        // A relative name resolves against the working directory, if at all; the absolute one is real.
        String secretFile = c.pick(c.secretUri, "../../secret/secret.txt");
        String variant = c.variant("billion laughs", "quadratic blowup", "external entity: /etc/passwd",
                "external entity: secret file", "external parameter entity", "out-of-band parameter entity",
                "external entity over http", "XInclude", "undefined entity", "entity holding markup",
                "recursive entity", "unparsed entity");
        c.note(variant);
        String dtd;
        switch (variant) {
            case "billion laughs" -> {
                int levels = c.pick(3, 4, 5, 6, 10);
                StringBuilder sb = new StringBuilder("<!ENTITY lol0 \"lol\">");
                for (int i = 1; i <= levels; i++) {
                    sb.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
                }
                dtd = sb.toString();
                placeReference(c, item, "&lol" + levels + ";");
                c.note(levels + " levels");
            }
            case "quadratic blowup" -> {
                int size = c.pick(10_000, 100_000);
                int refs = c.pick(10, 100, 400);
                dtd = "<!ENTITY big \"" + repeat(c.rnd, size) + "\">";
                String ref = "&big;".repeat(refs);
                if (c.rnd.nextBoolean()) {
                    item.title = ref;
                } else {
                    item.summary = ref;
                }
                c.note(size + " chars x " + refs);
            }
            case "external entity: /etc/passwd", "external entity: secret file" -> {
                String target = variant.endsWith("passwd") ? passwd : secretFile;
                dtd = "<!ENTITY xxe SYSTEM \"" + target + "\">";
                placeReference(c, item, "&xxe;");
            }
            case "external parameter entity" -> {
                dtd = "<!ENTITY % p SYSTEM \"" + c.pick(passwd, c.forbid("param.dtd", "<!ENTITY leak \"LEAKED\">")) + "\"> %p;";
                placeReference(c, item, "&leak;");
            }
            case "out-of-band parameter entity" -> {
                String leak = c.forbid("leak", "ok");
                String evil = c.forbid("evil.dtd", "<!ENTITY % all \"<!ENTITY send SYSTEM '" + leak + "?%file;'>\"> %all;");
                dtd = "<!ENTITY % file SYSTEM \"" + passwd + "\"><!ENTITY % dtd SYSTEM \"" + evil + "\"> %dtd;";
                placeReference(c, item, "&send;");
            }
            case "external entity over http" -> {
                dtd = "<!ENTITY remote SYSTEM \"" + c.forbid("entity.txt", "REMOTE-ENTITY-TEXT") + "\">";
                placeReference(c, item, "&remote;");
            }
            case "XInclude" -> {
                dtd = null;
                item.extra = "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\""
                        + c.pick(passwd, secretFile) + "\" parse=\"text\"/>";
                item.contentXml = esc(item.html) + "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\""
                        + c.forbid("include.txt", "INCLUDED") + "\" parse=\"text\"/>";
            }
            case "undefined entity" -> {
                dtd = null;
                item.title = item.title + " &" + c.pick("nbsp", "copy", "hellip", "mdash", "undefined") + ";";
            }
            case "entity holding markup" -> {
                dtd = "<!ENTITY items \"<item><title>Injected</title><link>posts/injected.html</link></item>\">";
                item.summary = "&items;";
            }
            case "recursive entity" -> {
                dtd = "<!ENTITY a \"x&b;\"><!ENTITY b \"y&a;\">";
                item.title = "&a;";
            }
            default -> {
                dtd = "<!NOTATION png SYSTEM \"image/png\"><!ENTITY pic SYSTEM \"" + passwd + "\" NDATA png>"
                        + "<!ATTLIST item img ENTITY #IMPLIED>";
                c.xml(rss(XML_DECL + "<!DOCTYPE rss [" + dtd + "]>\n", "", items).replaceFirst("<item>", "<item img=\"pic\">"));
                return;
            }
        }
        String prolog = dtd == null ? XML_DECL : XML_DECL + "<!DOCTYPE " + (c.rnd.nextBoolean() ? "rss" : "feed") + " [" + dtd + "]>\n";
        if (prolog.contains("DOCTYPE feed")) {
            c.contentType = ATOM_TYPE;
            c.xml(atom(prolog, "", items));
        } else {
            c.xml(rss(prolog, "", items));
        }
    }

    /** An entity reference where the entry's text is taken from: title, summary, content or link. */
    private static void placeReference(Case c, Item item, String ref) {
        switch (c.pick("title", "summary", "content", "link")) {
            case "title" -> item.title = item.title + " " + ref;
            case "summary" -> item.summary = ref;
            case "content" -> item.contentXml = esc(item.html) + ref;
            default -> item.link = "posts/" + ref;
        }
    }

    /** A CDATA section, comment, processing instruction, attribute, doctype, tag or reference left open. */
    static void unterminated(Case c) {
        String xml = rss(articles(c));
        String what = c.variant("CDATA", "comment", "processing instruction", "attribute", "doctype", "start tag",
                "end tags missing", "mismatched end tag", "entity reference");
        xml = switch (what) {
            case "CDATA" -> xml.replace("]]>", ""); // every one: else the next item's would close the first
            case "comment" -> xml.replaceFirst("<channel>", "<channel><!-- never closed ");
            case "processing instruction" -> xml.replaceFirst("<rss ", "<?xml-stylesheet href=\"x.xsl\" <rss ");
            case "attribute" -> xml.replaceFirst("version=\"2.0\"", "version=\"2.0");
            case "doctype" -> xml.replaceFirst("<rss ", "<!DOCTYPE rss [ <!ENTITY a \"b\"> <rss ");
            case "start tag" -> xml.replaceFirst("<item>", "<item");
            case "end tags missing" -> xml.replace("</item>", "");
            case "mismatched end tag" -> xml.replaceFirst("</title>", "</titel>");
            default -> xml.replaceFirst("</title>", " &amp</title>");
        };
        c.xml(xml);
        c.mustFail = !what.equals("entity reference"); // Rome's XML healer turns a bare '&' into '&amp;'; fair enough
        c.note(what);
    }

    /** Links an http feed may hold: relative, garbage, javascript:, data:, file:, metadata addresses, dead pages. */
    private static final String[] HTTP_LINKS = {"page-ok.html", "../page-ok.html", "?p=1", "#fragment", "missing.html",
            "page-png.html", "page-empty.html", "page-gzip.html", "//127.0.0.1:1/x", "http://127.0.0.1:1/refused", "ht!tp://x", "::::",
            "http://[::1", "http://exa mple.com/", "http://", "http:///path", "%zz", "javascript:alert(1)",
            "JaVaScRiPt:alert(document.cookie)", "data:text/html;base64,PGgxPmhpPC9oMT4=", "mailto:someone@example.org",
            "ftp://ftp.example.org/file", "file:///etc/passwd", "file:/etc/passwd", "file:///dev/zero",
            "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "gopher://127.0.0.1:70/", "  page-ok.html  ",
            "http://127.0.0.1:1/" + "a/".repeat(5000)};
    /** Links a local feed may hold without reaching a real local file's text. */
    private static final String[] LOCAL_LINKS = {"page-ok.html", "missing.html", "page-png.html", "page-empty.html", "page-gzip.html",
            "?p=1", "#fragment", "//127.0.0.1:1/x", "http://127.0.0.1:1/refused", "ht!tp://x", "::::", "javascript:alert(1)",
            "data:text/html,hi", "file:///dev/zero", "file:///dev/urandom", "file:///", "file:///nonexistent/x.html",
            "http://169.254.169.254/latest/meta-data/", "mailto:someone@example.org"};

    static void oddLinks(Case c) {
        c.pages.put("page-ok.html", new Page("text/html; charset=utf-8", ("<html><head><title>Page</title></head><body><article>"
                + articleHtml(c.rnd) + "</article></body></html>").getBytes(UTF_8)));
        c.pages.put("page-png.html", new Page("image/png", concat(bytes(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a), new byte[64])));
        c.pages.put("page-empty.html", new Page("text/html", new byte[0]));
        c.pages.put("page-gzip.html", new Page("text/html", gzip(("<html><body><article>" + articleHtml(c.rnd)
                + "</article></body></html>").getBytes(UTF_8)))); // compressed, but no Content-Encoding says so
        String[] pool = c.local ? LOCAL_LINKS : HTTP_LINKS;
        List<Item> items = new ArrayList<>();
        for (int k = 0, n = c.between(2, 6); k < n; k++) {
            String link = esc(c.pick(pool));
            Item item = c.rnd.nextBoolean() ? teaser(c, k, link) : article(c, k);
            item.link = link;
            item.guid = c.rnd.nextBoolean() ? esc(c.pick(pool)) : null;
            if (c.rnd.nextInt(4) == 0) {
                item.link = null; // the guid alone, if any, names it
            }
            items.add(item);
        }
        String xml = rssOrAtom(c, items);
        if (xml.contains("<feed") && c.rnd.nextBoolean() && !c.local) {
            String base = esc(c.pick("javascript:", "file:///etc/", "http://[bad", "data:,", "//127.0.0.1:1/", "../../.."));
            xml = first(xml, "<feed ", "<feed xml:base=\"" + base + "\" ");
            c.note("xml:base " + base);
        }
        c.xml(xml);
        c.note(items.size() + " items");
    }

    private static final String[] BAD_DATES = {"yesterday", "32/13/2024", "0000-00-00T00:00:00Z",
            "Mon, 08 Jan 99999999 09:00:00 +0000", "-1", "9".repeat(400), "", " ", "2024-02-30", "Fri, 31 Dec 1969 23:59:59 GMT",
            "1e309", "\u0661\u0669\u0667\u0660-01-01", "2024-01-01T00:00:00+99:99", "Sat, 01 Jan 0001 00:00:00 +0000",
            "Tue, 01 Jan 292278994 00:00:00 GMT", "2024-13-45T25:61:61Z", "Mon, 32 Foo 2024 99:99:99 XYZ", "NaN",
            "-292275055-05-16T16:47:04.192Z", "+10000-01-01T00:00:00Z", "&lt;script&gt;"};

    /** Publication dates no parser should believe, sometimes with --since so that they are compared. */
    static void garbageDates(Case c) {
        List<Item> items = articles(c);
        for (Item item : items) {
            if (c.rnd.nextInt(3) > 0) {
                item.date = esc(c.pick(BAD_DATES));
                if (c.rnd.nextBoolean()) {
                    item.extra = "<dc:date>" + esc(c.pick(BAD_DATES)) + "</dc:date>";
                }
            }
        }
        boolean atom = c.rnd.nextBoolean();
        if (atom) {
            items.forEach(i -> i.extra = c.rnd.nextBoolean() ? "<published>" + esc(c.pick(BAD_DATES)) + "</published>" : "");
            c.contentType = ATOM_TYPE;
        }
        c.xml(atom ? atom(items) : rss(items));
        if (c.rnd.nextBoolean()) {
            c.args.addAll(List.of("--since", c.pick("2020-01-01", "1970-01-01", "2999-12-31T00:00:00Z")));
        }
        c.note(atom ? "Atom" : "RSS");
    }

    /** Nothing, or nothing but whitespace, a byte order mark or a NUL. */
    static void emptyOrBlank(Case c) {
        String what = c.variant("empty", "spaces", "mixed whitespace", "no-break spaces", "BOM only", "BOM and whitespace", "NUL");
        c.body = switch (what) {
            case "empty" -> new byte[0];
            case "spaces" -> " ".repeat(c.between(1, 5000)).getBytes(UTF_8);
            case "mixed whitespace" -> "\n\n\t \r\n  \t".repeat(c.between(1, 100)).getBytes(UTF_8);
            case "no-break spaces" -> "\u00a0\u00a0 ".getBytes(UTF_8);
            case "BOM only" -> bytes(0xef, 0xbb, 0xbf);
            case "BOM and whitespace" -> concat(bytes(0xef, 0xbb, 0xbf), "   \n".getBytes(UTF_8));
            default -> new byte[]{0};
        };
        c.contentType = c.pick(RSS_TYPE, "text/xml", null, "text/html");
        c.mustFail = true;
        c.note(what);
    }

    /** An HTML page where the feed should be: a blog's home page, an error page, XHTML. */
    static void htmlNotFeed(Case c) {
        String article = articleHtml(c.rnd);
        String page = c.variant(
                "<!DOCTYPE html><html><head><title>Blog</title><link rel=\"alternate\" type=\"application/rss+xml\" "
                        + "href=\"/feed.xml\"></head><body><article>" + article + "</article></body></html>",
                "<html><body>" + article + "</body></html>",
                "<!-- served by nginx --><!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>",
                "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>x</title></head><body>"
                        + article + "</body></html>",
                "<h1>Not Found</h1><p>The requested URL was not found on this server.</p>",
                "<HTML><BODY BGCOLOR=white><P>old school<BR><P>" + article);
        c.xml(page);
        c.contentType = c.pick("text/html; charset=utf-8", RSS_TYPE, "application/xhtml+xml", null, "text/plain");
        c.mustFail = true;
        c.note(page.substring(0, Math.min(30, page.length())).replace('\n', ' '));
    }

    /** JSON where the feed should be: a JSON Feed, an API answer, JSON holding RSS in a string. */
    static void jsonNotFeed(Case c) {
        String json = c.variant(
                "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\",\"items\":[{\"id\":\"1\",\"url\":\"posts/1\","
                        + "\"content_html\":\"<p>" + words(c.rnd, 150) + "</p>\"}]}",
                "[]", "{}", "null", "\"<rss version=\\\"2.0\\\"><channel></channel></rss>\"",
                "{\"error\":\"rate limited\",\"retry_after\":30}", "{\"rss\":{\"channel\":{\"item\":[]}}}");
        c.xml(json);
        c.contentType = c.pick("application/json", "application/feed+json", RSS_TYPE, null);
        c.mustFail = true;
        c.note(json.substring(0, Math.min(30, json.length())));
    }

    /** Images, PDFs and archives served as feeds; and a real feed labelled as an image. */
    static void binaryBody(Case c) {
        byte[] tail = new byte[c.between(0, 2048)];
        c.rnd.nextBytes(tail);
        String what = c.variant("PNG", "JPEG", "GIF", "PDF", "ZIP", "feed labelled image/png");
        c.body = switch (what) {
            case "PNG" -> concat(bytes(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a), tail);
            case "JPEG" -> concat(bytes(0xff, 0xd8, 0xff, 0xe0), tail);
            case "GIF" -> concat("GIF89a".getBytes(ISO_8859_1), tail);
            case "PDF" -> concat("%PDF-1.7\n".getBytes(ISO_8859_1), tail);
            case "ZIP" -> concat(bytes('P', 'K', 3, 4), tail);
            default -> rss(articles(c)).getBytes(UTF_8);
        };
        c.mustFail = !what.startsWith("feed");
        c.contentType = what.startsWith("feed") ? "image/png"
                : c.pick("image/png", "image/jpeg", "application/pdf", RSS_TYPE, "text/xml", null);
        c.note(what);
    }

    /** Compressed bodies with and without a matching Content-Encoding, corrupt or truncated streams, a gzip bomb. */
    static void gzipBody(Case c) {
        c.httpOnly();
        byte[] feed = rssOrAtom(c, articles(c)).getBytes(UTF_8);
        String what = c.variant("gzip without Content-Encoding", "gzip with Content-Encoding", "plain body labelled gzip",
                "gzip bomb", "unknown Content-Encoding", "gzipped twice, labelled once", "truncated gzip stream");
        switch (what) {
            case "gzip without Content-Encoding" -> c.body = gzip(feed);
            case "gzip with Content-Encoding" -> {
                c.body = gzip(feed);
                c.headers = Map.of("Content-Encoding", "gzip");
            }
            case "plain body labelled gzip" -> {
                c.body = feed;
                c.headers = Map.of("Content-Encoding", "gzip");
                c.mustFail = true;
            }
            case "gzip bomb" -> {
                c.body = gzip(new byte[c.pick(20, 50) << 20]);
                c.headers = Map.of("Content-Encoding", "gzip");
                c.mustFail = true;
            }
            case "unknown Content-Encoding" -> {
                c.body = feed;
                c.headers = Map.of("Content-Encoding", c.pick("br", "compress", "x-garbage"));
            }
            case "gzipped twice, labelled once" -> {
                c.body = gzip(gzip(feed));
                c.headers = Map.of("Content-Encoding", "gzip");
            }
            default -> {
                byte[] gz = gzip(feed);
                c.body = Arrays.copyOf(gz, gz.length / 2);
                c.headers = Map.of("Content-Encoding", "gzip");
                c.mustFail = true;
            }
        }
        c.note(what);
    }

    /** Document type declarations: external DTDs on the loopback server, HTML's doctype, defaulted attributes. */
    static void doctypeTricks(Case c) {
        List<Item> items = articles(c);
        String what = c.variant("RSS 0.91 doctype with a loopback DTD", "DOCTYPE SYSTEM on loopback", "HTML doctype",
                "defaulted xml:base", "defaulted attributes on items", "doctype after the root");
        String dtd = "<!ENTITY title \"From the DTD\">";
        switch (what) {
            case "RSS 0.91 doctype with a loopback DTD" -> c.xml(rss(XML_DECL
                    + "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \""
                    + c.forbid("rss-0.91.dtd", dtd) + "\">\n", "", items).replace("version=\"2.0\"", "version=\"0.91\""));
            case "DOCTYPE SYSTEM on loopback" -> {
                items.get(0).title = "&title;";
                c.xml(rss(XML_DECL + "<!DOCTYPE rss SYSTEM \"" + c.forbid("external.dtd", dtd) + "\">\n", "", items));
            }
            case "HTML doctype" -> c.xml(rss("<!DOCTYPE html>\n", "", items));
            case "defaulted xml:base" -> {
                c.httpOnly(); // a local feed's links may reach local files: that is its owner's choice
                c.contentType = ATOM_TYPE;
                items.forEach(i -> {
                    i.html = null;
                    i.link = "passwd";
                });
                c.xml(atom(XML_DECL + "<!DOCTYPE feed [<!ATTLIST entry xml:base CDATA \"file:///etc/\">]>\n", "", items));
            }
            case "defaulted attributes on items" -> c.xml(rss(XML_DECL + "<!DOCTYPE rss [<!ATTLIST item onclick CDATA \"alert(1)\""
                    + " xml:base CDATA \"javascript:\">]>\n", "", items));
            default -> {
                c.xml(rss(items) + "<!DOCTYPE rss>");
                c.mustFail = true;
            }
        }
        c.note(what);
    }

    /** Hundreds of entries without links, empty entries, one link shared by several entries. */
    static void manyOrBrokenItems(Case c) {
        String what = c.variant("many entries without a link", "empty entries", "one link, several entries",
                "entries of nothing but whitespace");
        List<Item> items = new ArrayList<>();
        switch (what) {
            case "many entries without a link" -> {
                for (int k = 0, n = c.between(100, 1000); k < n; k++) {
                    items.add(teaser(c, k, null));
                }
                items.add(article(c, -1));
            }
            case "empty entries" -> {
                for (int k = 0, n = c.between(1, 500); k < n; k++) {
                    items.add(new Item());
                }
            }
            case "one link, several entries" -> {
                for (int k = 0, n = c.between(2, 5); k < n; k++) {
                    Item item = article(c, 0);
                    item.link = "posts/" + c.number + "-shared.html";
                    items.add(item);
                }
            }
            default -> {
                for (int k = 0, n = c.between(1, 5); k < n; k++) {
                    Item item = article(c, k);
                    item.title = " \n\t ";
                    item.summary = "   ";
                    item.html = " \n ".repeat(200);
                    items.add(item);
                }
            }
        }
        c.xml(rssOrAtom(c, items));
        c.note(what + ", " + items.size() + " entries");
    }

    /** Unbound prefixes, wrong namespaces, Atom content of odd types, garbage base64, duplicate attributes. */
    static void namespaceChaos(Case c) {
        List<Item> items = articles(c);
        String what = c.variant("unbound prefix", "content:encoded in another namespace", "Atom xhtml content without a div",
                "Atom base64 content of garbage", "Atom 0.3 base64 mode", "Atom content with a src",
                "duplicate attribute", "default namespace redefined inside an entry");
        String xml;
        switch (what) {
            case "unbound prefix" -> {
                items.get(0).extra = "<foo:bar>x</foo:bar>";
                xml = rss(items);
                c.mustFail = true;
            }
            case "content:encoded in another namespace" ->
                    xml = rss(items).replace("http://purl.org/rss/1.0/modules/content/", "urn:not-content");
            case "Atom xhtml content without a div" -> {
                xml = atom(items).replace("<content type=\"html\">", "<content type=\"xhtml\">");
                c.contentType = ATOM_TYPE;
            }
            case "Atom base64 content of garbage" -> {
                xml = atom(items).replaceFirst("<content type=\"html\">[^<]*</content>",
                        "<content type=\"application/octet-stream\">!!!not base64%%%</content>");
                c.contentType = ATOM_TYPE;
            }
            case "Atom 0.3 base64 mode" -> {
                xml = atom(items).replace("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")
                        .replace("<feed ", "<feed version=\"0.3\" ")
                        .replaceFirst("<content type=\"html\">[^<]*</content>",
                                "<content type=\"text/html\" mode=\"base64\">@@@==</content>");
                c.contentType = ATOM_TYPE;
            }
            case "Atom content with a src" -> {
                xml = atom(items).replaceFirst("<content type=\"html\">[^<]*</content>",
                        "<content type=\"text/html\" src=\""
                                + c.pick("file:///etc/passwd", c.forbid("content.html", "<p>remote</p>")) + "\"/>");
                c.contentType = ATOM_TYPE;
            }
            case "duplicate attribute" -> {
                xml = rss(items).replaceFirst("<item>", "<item a=\"1\" a=\"2\">");
                c.mustFail = true;
            }
            default -> {
                items.get(0).extra = "<x xmlns=\"http://purl.org/rss/1.0/\"><title>other</title></x>";
                xml = atom(items).replaceFirst("<entry>", "<entry xmlns=\"http://purl.org/rss/1.0/\">");
                c.contentType = ATOM_TYPE;
            }
        }
        c.xml(xml);
        c.note(what);
    }
}

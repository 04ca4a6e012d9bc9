package feedsearch.cli;

import feedsearch.store.StoreAccess;
import feedsearch.BlankText;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.config.Settings;
import feedsearch.openai.OpenAiClient;
import feedsearch.openai.OpenAiException;
import feedsearch.search.Answer;
import feedsearch.search.Answerer;
import feedsearch.embed.Embedder;
import feedsearch.embed.LocalEmbedder;
import feedsearch.search.Evaluation;
import feedsearch.search.Hit;
import feedsearch.search.LabeledQuestion;
import feedsearch.search.QuestionLines;
import feedsearch.search.Searcher;
import feedsearch.store.IndexMeta;
import feedsearch.store.SearchFilter;
import feedsearch.store.VectorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

@Command(name = "query", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"Find the posts closest in meaning to a question, best first, with their scores "
                + "(cosine similarity, 1 is best).",
                "The question is embedded with the model the index was built with."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  query \"how do I build a bot\"",
                "  query -k 10 --since 2024-01-01 \"sourdough starter\"",
                "  query --format json \"bike repair\" | jq -r .url",
                "  query --format urls --feed example --min-score 0.3 \"beekeeping\"",
                "  OPENAI_API_KEY=... query --answer \"how do I keep a sourdough starter alive?\"",
                "  query --mode vector \"error E1234 on startup\"     # vectors alone, no word matching",
                "  query --eval questions.tsv --format json        # hit@1, hit@5, MRR@10 of labeled questions",
                "  query --batch questions.txt -k 3 > hits.jsonl    # a JSON line per question",
                "  printf 'bees\\nbike repair\\n' | query --batch -",
                "",
                FeedsearchCommand.EXIT_CODES, "", FeedsearchCommand.CONFIG})
public final class QueryCommand extends FeedsearchCommand {

    enum Format { table, json, urls }

    /** A title wider than a terminal line helps nobody; a hostile one may be 100 KB. */
    private static final int TITLE_CHARS = 120;
    private static final int URL_CHARS = 500;

    enum Mode { hybrid, vector, text }

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "The question; several words need no quotes.")
    List<String> words = new ArrayList<>();

    @Option(names = {"-k", "--top"}, paramLabel = "N", defaultValue = "5", description = "Posts to show (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--feed", paramLabel = "NAME", description = "Only posts of this feed (its URL, or the --tag it was ingested with).")
    String feed;

    @Option(names = "--since", paramLabel = "DATE", converter = InstantConverter.class,
            description = "Only posts published on or after DATE (YYYY-MM-DD).")
    Instant since;

    @Option(names = "--min-score", paramLabel = "S", defaultValue = "-1",
            description = "Only posts scoring at least S, a number from -1 to 1.")
    double minScore;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). json is one object per line "
                    + "with rank, score, title, url, published, feed, snippet.")
    Format format;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "hybrid",
            description = "Ranking: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). hybrid fuses the vector "
                    + "ranking with BM25 over the passages' words; stores without a text index "
                    + "(Redis vector sets) rank by vectors alone.")
    Mode mode;

    @Option(names = "--eval", paramLabel = "FILE",
            description = "Measure the ranking on labeled questions instead of asking one: lines of "
                    + "question<TAB>relevant post URLs or paths (# comments). Prints hit@1, hit@5, MRR@10 "
                    + "and the questions whose post is not in the top 5.")
    Path eval;

    @Option(names = "--batch", paramLabel = "FILE",
            description = "Answer many questions in one run: one a line from FILE, or - for standard input "
                    + "(blank lines and # comments skipped). Prints one JSON object per question, in order: "
                    + "{\"question\": ..., \"hits\": [...]} with the fields of --format json.")
    String batch;

    @Option(names = "--ef-runtime", paramLabel = "N",
            description = "Redis query engine, HNSW: candidates to consider (more is slower and more exact).")
    Integer efRuntime;

    @Option(names = "--answer",
            description = "Also ask an OpenAI-compatible chat model to answer from the best posts, citing them "
                    + "(needs OPENAI_API_KEY or OPENAI_BASE_URL).")
    boolean answer;

    @Option(names = "--chat-model", paramLabel = "ID", defaultValue = "gpt-4o-mini",
            description = "Chat model for --answer (default: ${DEFAULT-VALUE}).")
    String chatModel;

    @Option(names = "--snippet", description = "Show the best passage's opening under each post in the table.")
    boolean snippet;

    @Mixin
    StoreOptions storeOptions;

    @Mixin
    EmbedderOptions embedderOptions;

    public static void main(String[] args) {
        runAndExit(new QueryCommand(), args);
    }

    @Override
    protected int execute() {
        String question = String.join(" ", words).strip();
        if (eval != null && !question.isEmpty()) {
            throw usage("--eval takes its questions from the file; give no question with it");
        }
        if (batch != null) {
            if (!question.isEmpty()) {
                throw usage("--batch takes its questions from " + (batch.equals("-") ? "standard input" : "the file")
                        + "; give no question with it");
            }
            if (eval != null) {
                throw usage("--batch and --eval cannot be used together");
            }
            if (answer) {
                throw usage("--answer answers one question; it cannot be used with --batch");
            }
            if (spec.commandLine().getParseResult().hasMatchedOption("--format") && format != Format.json) {
                throw usage("--batch prints JSON lines; --format " + format + " does not apply to it");
            }
        } else if (eval == null && BlankText.isBlank(question)) {
            throw usage("the question is empty");
        }
        if (k < 1 || k > 1000) {
            throw usage("-k must be between 1 and 1000");
        }
        if (!(minScore >= -1 && minScore <= 1)) {
            throw usage("--min-score takes a number from -1 to 1 (scores are cosine similarities), not " + minScore);
        }
        // A missing file is a usage error before any store is opened.
        try (QuestionLines questions = batch == null ? null
                : batch.equals("-") ? QuestionLines.of(in(), "standard input") : QuestionLines.open(Path.of(batch))) {
            return answer(question, questions);
        }
    }

    private int answer(String question, QuestionLines batchQuestions) {
        Settings settings = embedderOptions.applyTo(storeOptions.applyTo(baseSettings()));
        settings = settings.withRedis(settings.redis().withEfRuntime(efRuntime));
        if (settings.embedder() == null || LocalEmbedder.NAME.equals(settings.embedder())) {
            // Most indexes use the local model: load it while the store opens (the index says
            // for sure only once open). An index of another embedder leaves it unused.
            LocalEmbedder.preload();
        }
        try (VectorStore store = settings.openStore(StoreAccess.READ)) {
            IndexMeta meta = store.requireMeta();
            // Check the chat endpoint is configured before any work is done.
            try (OpenAiClient chat = answer ? settings.openAiClient("--answer") : null;
                 Embedder embedder = settings.embedderFor(meta)) {
                Searcher searcher = new Searcher(store, meta, embedder);
                if (mode != Mode.vector && !store.hasTextIndex()) {
                    // The default falls back quietly (vector sets never have a word index); --eval figures
                    // and an explicit --mode text would otherwise be mislabelled, so those say so.
                    if (eval != null || mode == Mode.text) {
                        err().println("query: " + store.describe() + " has no word index, so the ranking is by vectors alone"
                                + " (Redis vector sets have none; 'ingest reindex' adds one to an older local or query engine index)");
                    }
                    mode = Mode.vector;
                }
                if (eval != null) {
                    printEvaluation(Evaluation.of(LabeledQuestion.read(eval), ranking(searcher, Evaluation.DEPTH)));
                    return 0;
                }
                if (batchQuestions != null) {
                    return answerEach(batchQuestions, ranking(searcher, k));
                }
                List<Hit> hits = ranking(searcher, k).apply(question);
                if (chat == null) {
                    print(hits);
                } else if (hits.isEmpty()) {
                    throw new FeedsearchException(ExitCode.PARTIAL_FAILURE, "no posts matched, so there is nothing to answer from");
                } else {
                    printAnswer(new Answerer(chat, chatModel).answer(question, hits));
                }
            }
        }
        return 0;
    }

    /** The one ranking every kind of run (a question, --eval, --batch) asks: the options' filters and mode, top {@code depth}. */
    private Function<String, List<Hit>> ranking(Searcher searcher, int depth) {
        SearchFilter filter = new SearchFilter(feed, since);
        Searcher.Mode ranking = Searcher.Mode.valueOf(mode.name().toUpperCase(Locale.ROOT));
        return q -> searcher.search(q, depth, filter, minScore, ranking);
    }

    /**
     * --batch: each question's hits as one JSON line, in the order asked. A question that fails on
     * its own (a line over the length cap, or an error in ranking it) gets a line with its error and
     * the batch goes on (exit 1 at the end); a store or provider failure ends the batch as usual.
     */
    private int answerEach(QuestionLines questions, Function<String, List<Hit>> ranking) {
        int failed = 0;
        for (QuestionLines.Line line = questions.next(); line != null; line = questions.next()) {
            String question = line.text().strip();
            String error;
            if (line.cut()) {
                error = "longer than " + QuestionLines.MAX_LINE_CHARS + " characters";
            } else if (BlankText.isBlank(question)) {
                error = "the question is empty";
            } else {
                try {
                    List<Hit> hits = ranking.apply(question);
                    List<Json> json = new ArrayList<>(hits.size());
                    for (Hit h : hits) {
                        json.add(json(h));
                    }
                    out().println(Json.object().put("question", question).put("hits", json).line());
                    continue;
                } catch (FeedsearchException | OpenAiException | UncheckedIOException e) {
                    throw e; // the store or the provider: no other question would fare better
                } catch (RuntimeException e) {
                    error = e.toString();
                }
            }
            failed++;
            err().println(name() + ": " + questions.source() + " line " + line.number() + ": "
                    + Printable.line(error, MAX_MESSAGE_CHARS));
            out().println(Json.object().put("question", question).put("hits", List.of())
                    .put("error", Printable.line(error, MAX_MESSAGE_CHARS)).line());
        }
        return failed == 0 ? 0 : ExitCode.PARTIAL_FAILURE.code();
    }

    /** A hit as --format json and --batch print it; field names are stable, for scripts. */
    private static Json json(Hit h) {
        return Json.object().put("rank", h.rank()).put("score", round(h.score()))
                .put("title", h.title()).put("url", h.url()).put("published", h.published()).put("feed", h.feed())
                .put("snippet", h.snippet()).put("vector_rank", rankOrNull(h.vectorRank()))
                .put("text_rank", rankOrNull(h.textRank()));
    }

    private void print(List<Hit> hits) {
        switch (format) {
            case json -> hits.forEach(h -> out().println(json(h).line()));
            case urls -> hits.forEach(h -> out().println(Printable.line(h.url(), URL_CHARS)));
            case table -> {
                if (hits.isEmpty()) {
                    err().println("query: no posts matched");
                }
                for (Hit h : hits) {
                    String date = h.published() == null ? "          " : h.published().atOffset(ZoneOffset.UTC).toLocalDate().toString();
                    out().printf("%2d  %.3f  %s  %s%n      %s%n", h.rank(), h.score(), date,
                            Printable.line(h.title(), TITLE_CHARS), Printable.line(h.url(), URL_CHARS));
                    if (snippet) {
                        out().println("      " + Printable.line(h.snippet(), URL_CHARS));
                    }
                }
            }
        }
    }

    private void printAnswer(Answer answer) {
        if (format == Format.json) {
            List<Map<String, Object>> sources = answer.sources().stream().map(h -> {
                Map<String, Object> source = new LinkedHashMap<>();
                source.put("rank", h.rank());
                source.put("score", round(h.score()));
                source.put("title", h.title());
                source.put("url", h.url());
                return source;
            }).toList();
            out().println(Json.object().put("answer", answer.text()).put("sources", sources).line());
            return;
        }
        out().println(Printable.lines(answer.text(), 10_000));
        out().println();
        out().println("Sources:");
        for (Hit h : answer.sources()) {
            out().printf("[%d] %s%n    %s%n", h.rank(), Printable.line(h.title(), TITLE_CHARS), Printable.line(h.url(), URL_CHARS));
        }
    }

    private void printEvaluation(Evaluation e) {
        if (format == Format.json) {
            List<Map<String, Object>> misses = e.misses().stream().map(m -> {
                Map<String, Object> miss = new LinkedHashMap<>();
                miss.put("question", m.question());
                miss.put("rank", rankOrNull(m.rank()));
                return miss;
            }).toList();
            out().println(Json.object().put("questions", e.questions()).put("mode", mode.name())
                    .put("hit_at_1", round(e.hitAt1())).put("hit_at_5", round(e.hitAt5())).put("mrr_at_10", round(e.mrrAt10()))
                    .put("misses", misses).line());
            return;
        }
        out().printf("questions: %d (%s ranking)%nhit@1:     %.3f%nhit@5:     %.3f%nMRR@10:    %.3f%n",
                e.questions(), mode, e.hitAt1(), e.hitAt5(), e.mrrAt10());
        if (!e.misses().isEmpty()) {
            out().println("not in the top 5:");
            for (Evaluation.Miss m : e.misses()) {
                out().printf("  %-6s %s%n", m.rank() == 0 ? "-" : "#" + m.rank(), Printable.line(m.question(), TITLE_CHARS));
            }
        }
    }

    private static Integer rankOrNull(int rank) {
        return rank > 0 ? rank : null;
    }

    private static double round(double score) {
        return Math.round(score * 10000.0) / 10000.0;
    }
}

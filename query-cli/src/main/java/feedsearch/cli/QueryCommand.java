package feedsearch.cli;

import feedsearch.ExitCode;
import feedsearch.FeedsearchException;
import feedsearch.Printable;
import feedsearch.config.Settings;
import feedsearch.openai.OpenAiClient;
import feedsearch.search.Answer;
import feedsearch.search.Answerer;
import feedsearch.embed.Embedder;
import feedsearch.search.Hit;
import feedsearch.search.Searcher;
import feedsearch.store.IndexMeta;
import feedsearch.store.SearchFilter;
import feedsearch.store.VectorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                "",
                FeedsearchCommand.EXIT_CODES, "", FeedsearchCommand.CONFIG})
public final class QueryCommand extends FeedsearchCommand {

    enum Format { table, json, urls }

    /** A title wider than a terminal line helps nobody; a hostile one may be 100 KB. */
    private static final int TITLE_CHARS = 120;
    private static final int URL_CHARS = 500;

    @Parameters(paramLabel = "TEXT", arity = "1..*", description = "The question; several words need no quotes.")
    List<String> words;

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
        System.exit(run(new QueryCommand(), args));
    }

    @Override
    protected int execute() {
        String question = String.join(" ", words).strip();
        if (question.isEmpty()) {
            throw usage("the question is empty");
        }
        if (k < 1 || k > 1000) {
            throw usage("-k must be between 1 and 1000");
        }
        if (!(minScore >= -1 && minScore <= 1)) {
            throw usage("--min-score takes a number from -1 to 1 (scores are cosine similarities), not " + minScore);
        }
        Settings settings = embedderOptions.applyTo(storeOptions.applyTo(baseSettings()));
        settings = settings.withRedis(settings.redis().withEfRuntime(efRuntime));
        try (VectorStore store = settings.openStoreForReading()) {
            IndexMeta meta = store.requireMeta();
            // Check the chat endpoint is configured before any work is done.
            try (OpenAiClient chat = answer ? settings.openAiClient("--answer") : null;
                 Embedder embedder = settings.embedderFor(meta)) {
                List<Hit> hits = new Searcher(store, meta, embedder).search(question, k, new SearchFilter(feed, since), minScore);
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

    private void print(List<Hit> hits) {
        switch (format) {
            case json -> hits.forEach(h -> out().println(Json.object().put("rank", h.rank()).put("score", round(h.score()))
                    .put("title", h.title()).put("url", h.url()).put("published", h.published()).put("feed", h.feed())
                    .put("snippet", h.snippet()).line()));
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

    private static double round(double score) {
        return Math.round(score * 10000.0) / 10000.0;
    }
}

package feedsearch.search;

import feedsearch.BlankText;
import feedsearch.ExitCode;
import feedsearch.FeedsearchException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A question with the posts that answer it, from a file of lines
 * {@code question<TAB>URL or path [more]}. Posts are matched by URL path, so a file written
 * for a blog also measures a copy of it served elsewhere.
 */
public record LabeledQuestion(String question, List<String> relevantPaths) {

    public static List<LabeledQuestion> read(Path file) {
        List<LabeledQuestion> questions = new ArrayList<>();
        try (QuestionLines lines = QuestionLines.open(file)) {
            for (QuestionLines.Line line = lines.next(); line != null; line = lines.next()) {
                String[] fields = line.text().split("\t", 2);
                if (line.cut()) {
                    throw new FeedsearchException(ExitCode.USAGE, file + " line " + line.number()
                            + ": longer than " + QuestionLines.MAX_LINE_CHARS + " characters");
                }
                if (fields.length < 2 || BlankText.isBlank(fields[0]) || fields[1].isBlank()) {
                    throw new FeedsearchException(ExitCode.USAGE, file + " line " + line.number()
                            + ": expected a question, a TAB, then the relevant posts' URLs or paths");
                }
                List<String> paths = Arrays.stream(fields[1].strip().split("\\s+")).map(LabeledQuestion::pathOf).toList();
                questions.add(new LabeledQuestion(fields[0].strip(), paths));
            }
        }
        if (questions.isEmpty()) {
            throw new FeedsearchException(ExitCode.USAGE, file + " holds no questions");
        }
        return List.copyOf(questions);
    }

    /** The rank of the first relevant post among the hits, 1 for the first; 0 when none is there. */
    public int rankIn(List<Hit> hits) {
        for (Hit hit : hits) {
            if (relevantPaths.contains(pathOf(hit.url()))) {
                return hit.rank();
            }
        }
        return 0;
    }

    /** A URL's path, or a path as it is, without a trailing slash or index.html, so both spellings match. */
    static String pathOf(String urlOrPath) {
        String path = urlOrPath;
        try {
            URI uri = new URI(urlOrPath);
            if (uri.getRawPath() != null) {
                path = uri.getRawPath();
            }
        } catch (URISyntaxException e) {
            // Not a URL: take it as a path.
        }
        if (!path.startsWith("/")) {
            path = "/" + path; // "blog/x/" means the post at /blog/x/, as a URL's path is written
        }
        path = path.replaceFirst("/index\\.html?$", "/");
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.isEmpty() ? "/" : path;
    }
}

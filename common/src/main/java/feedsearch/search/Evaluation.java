package feedsearch.search;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How well a ranking answers labeled questions: the share whose answer is ranked first (hit@1),
 * in the top 5 (hit@5), and the mean reciprocal rank of the first answer within the top 10.
 *
 * @param misses the questions whose answer is not in the top 5
 */
public record Evaluation(int questions, double hitAt1, double hitAt5, double mrrAt10, List<Miss> misses) {
    /** The depth MRR is measured to, and so how many posts each question asks for. */
    public static final int DEPTH = 10;

    /** @param rank where the first relevant post came, 0 when not in the top 10 */
    public record Miss(String question, int rank) {
    }

    /** @param search the ranking under test: a question to its top {@link #DEPTH} posts */
    public static Evaluation of(List<LabeledQuestion> questions, Function<String, List<Hit>> search) {
        int at1 = 0;
        int at5 = 0;
        double reciprocal = 0;
        List<Miss> misses = new ArrayList<>();
        for (LabeledQuestion q : questions) {
            int rank = q.rankIn(search.apply(q.question()));
            at1 += rank == 1 ? 1 : 0;
            at5 += rank >= 1 && rank <= 5 ? 1 : 0;
            reciprocal += rank >= 1 ? 1.0 / rank : 0;
            if (rank == 0 || rank > 5) {
                misses.add(new Miss(q.question(), rank));
            }
        }
        int n = questions.size();
        return new Evaluation(n, (double) at1 / n, (double) at5 / n, reciprocal / n, List.copyOf(misses));
    }
}

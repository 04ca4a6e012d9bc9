package feedsearch.store;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.TermQuery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * A question turned into the words BM25 ranks by: the analyzer's terms (lower-cased, stemmed,
 * stop words dropped), any of which may match. No query parser is involved, so quotes, minus
 * signs, colons or braces in a question are only punctuation.
 */
final class WordQuery {
    /** Enough for any real question; a 10 KB one is cut here rather than becoming a 2,000-clause query. */
    static final int MAX_TERMS = 64;

    private WordQuery() {
    }

    /** The query, or empty when the question holds no words to match (only punctuation or stop words). */
    static Optional<BooleanQuery> of(Analyzer analyzer, String field, String question) {
        Set<String> terms = new LinkedHashSet<>();
        try (TokenStream tokens = analyzer.tokenStream(field, question)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (tokens.incrementToken() && terms.size() < MAX_TERMS) {
                terms.add(term.toString());
            }
            tokens.end();
        } catch (IOException e) {
            throw new UncheckedIOException("analyzing the question failed", e); // a StringReader does not fail
        }
        if (terms.isEmpty()) {
            return Optional.empty();
        }
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        for (String t : terms) {
            query.add(new TermQuery(new Term(field, t)), BooleanClause.Occur.SHOULD);
        }
        return Optional.of(query.build());
    }
}

package feedsearch.chunk;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import feedsearch.BlankText;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Splits text into overlapping passages measured in the embedding model's own tokens, so no
 * passage is silently truncated by the model. Splits at paragraphs, then sentences, then words
 * (langchain4j's recursive splitter), carrying a little context over from one passage to the next.
 */
public final class Chunker {
    private final DocumentSplitter splitter;

    /**
     * @param maxTokens     largest passage, in the model's tokens
     * @param overlapTokens context repeated from the end of the previous passage
     * @param countTokens   the model's tokenizer, as a count
     */
    public Chunker(int maxTokens, int overlapTokens, ToIntFunction<String> countTokens) {
        if (maxTokens <= overlapTokens) {
            throw new IllegalArgumentException("passages of " + maxTokens + " tokens cannot overlap by " + overlapTokens);
        }
        this.splitter = DocumentSplitters.recursive(maxTokens, overlapTokens, new TokenCounter(countTokens));
    }

    /** The passages of {@code text}, numbered from 0; none of them {@link BlankText blank}. */
    public List<Passage> split(String text) {
        if (BlankText.isBlank(text)) {
            return List.of();
        }
        List<TextSegment> segments = splitter.split(Document.from(text));
        List<Passage> passages = new ArrayList<>(segments.size());
        for (TextSegment segment : segments) {
            // A paragraph of nothing but, say, U+FFFD would be a passage the local model refuses.
            if (!BlankText.isBlank(segment.text())) {
                passages.add(new Passage(passages.size(), segment.text()));
            }
        }
        return passages;
    }

    /** Adapts a plain token count to the interface langchain4j's splitter wants. */
    private record TokenCounter(ToIntFunction<String> count) implements TokenCountEstimator {
        @Override
        public int estimateTokenCountInText(String text) {
            return count.applyAsInt(text);
        }

        @Override
        public int estimateTokenCountInMessage(ChatMessage message) {
            throw new UnsupportedOperationException("passages are plain text");
        }

        @Override
        public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
            throw new UnsupportedOperationException("passages are plain text");
        }
    }
}

package feedsearch.search;

import com.theokanning.openai.completion.chat.ChatCompletionRequest;
import com.theokanning.openai.completion.chat.ChatCompletionResult;
import com.theokanning.openai.completion.chat.ChatMessage;
import com.theokanning.openai.completion.chat.ChatMessageRole;
import feedsearch.openai.OpenAiClient;

import java.util.ArrayList;
import java.util.List;

/**
 * The source blog post's last step: the question and the best posts' text go to an
 * OpenAI-compatible chat model, which is asked to answer from those posts alone and to cite them.
 */
public final class Answerer {
    /** About 3,000 tokens of posts: room for several passages in any current chat model. */
    static final int CONTEXT_CHARS = 12_000;
    static final String SYSTEM_PROMPT = """
            You answer questions about a blog using only the numbered posts you are given. \
            Cite the posts you use by their numbers in square brackets, like [1]. \
            If the posts do not answer the question, say so plainly instead of guessing.""";

    private final OpenAiClient client;
    private final String model;

    public Answerer(OpenAiClient client, String model) {
        this.client = client;
        this.model = model;
    }

    public Answer answer(String question, List<Hit> hits) {
        StringBuilder posts = new StringBuilder();
        List<Hit> sources = new ArrayList<>();
        for (Hit hit : hits) {
            String entry = "[" + hit.rank() + "] " + hit.title() + " (" + hit.url() + ")\n" + hit.passage() + "\n\n";
            if (!sources.isEmpty() && posts.length() + entry.length() > CONTEXT_CHARS) {
                break;
            }
            posts.append(entry.length() > CONTEXT_CHARS ? entry.substring(0, CONTEXT_CHARS) : entry);
            sources.add(hit);
        }
        ChatCompletionRequest request = ChatCompletionRequest.builder()
                .model(model)
                .temperature(0.0)
                .messages(List.of(
                        new ChatMessage(ChatMessageRole.SYSTEM.value(), SYSTEM_PROMPT),
                        new ChatMessage(ChatMessageRole.USER.value(), "Posts:\n\n" + posts + "Question: " + question)))
                .build();
        ChatCompletionResult result = client.execute("answering with " + model, () -> client.api().createChatCompletion(request));
        if (result.getChoices() == null || result.getChoices().isEmpty() || result.getChoices().get(0).getMessage() == null) {
            throw new IllegalStateException("the chat model " + model + " returned no answer");
        }
        return new Answer(result.getChoices().get(0).getMessage().getContent().strip(), List.copyOf(sources));
    }
}

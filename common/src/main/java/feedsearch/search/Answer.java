package feedsearch.search;

import java.util.List;

/** A chat model's answer to a question, and the posts it was given to answer from. */
public record Answer(String text, List<Hit> sources) {
}

package feedsearch.openai;

/** A request to the API failed for good: after its retries, or at once when retrying cannot help. */
public class OpenAiException extends RuntimeException {
    public OpenAiException(String message, Throwable cause) {
        super(message, cause);
    }
}

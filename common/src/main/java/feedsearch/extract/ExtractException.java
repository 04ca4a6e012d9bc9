package feedsearch.extract;

/** A post's text could not be had: page missing, too large, empty, or selector matching nothing. */
public class ExtractException extends Exception {
    public ExtractException(String message) {
        super(message);
    }

    public ExtractException(String message, Throwable cause) {
        super(message, cause);
    }
}

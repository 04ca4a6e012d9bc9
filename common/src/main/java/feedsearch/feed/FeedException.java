package feedsearch.feed;

/** A feed could not be read or parsed; the message says which feed and why, in one line. */
public class FeedException extends Exception {
    public FeedException(String message, Throwable cause) {
        super(message, cause);
    }
}

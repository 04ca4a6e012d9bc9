package feedsearch.feed;

/** A list of feeds could not be read, or is not one; the message says why in one line, without the file's name. */
public final class FeedListException extends Exception {
    public FeedListException(String message) {
        super(message);
    }
}

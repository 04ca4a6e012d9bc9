package feedsearch.fetch;

import java.io.IOException;

/** A resource could not be fetched; the message names the resource and the reason in one line. */
public class FetchException extends IOException {
    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}

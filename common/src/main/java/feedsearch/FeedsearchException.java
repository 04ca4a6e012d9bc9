package feedsearch;

/**
 * A failure the user can act on: its message is printed as one line on stderr, without a stack
 * trace, and the command exits with {@link #exitCode()}.
 */
public class FeedsearchException extends RuntimeException {
    private final ExitCode exitCode;

    public FeedsearchException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public FeedsearchException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}

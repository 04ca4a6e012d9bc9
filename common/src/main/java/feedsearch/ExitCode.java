package feedsearch;

/** The process exit codes both commands document in their help and in the README. */
public enum ExitCode {
    OK(0),
    /** The run finished, but some posts or feeds failed; they are listed. */
    PARTIAL_FAILURE(1),
    USAGE(2),
    /** The store or a provider could not be reached, or refused our credentials. */
    UNREACHABLE(3),
    /** The index was built with another embedder, model or dimension. */
    INCOMPATIBLE_INDEX(4),
    /** Another ingest holds the store's write lock. */
    LOCKED(5);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}

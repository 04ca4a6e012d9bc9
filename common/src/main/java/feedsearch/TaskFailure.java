package feedsearch;

/**
 * What a task on another thread threw ({@code ExecutionException} or {@code CompletionException}
 * cause), made fit to throw again on the thread that waited for it.
 */
public final class TaskFailure {
    private TaskFailure() {
    }

    /**
     * The cause itself when unchecked, so callers catch what the task threw; an {@link Error}
     * (out of memory) is thrown as it is; a checked exception is wrapped.
     */
    public static RuntimeException unchecked(Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        return cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
}

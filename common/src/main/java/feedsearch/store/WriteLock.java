package feedsearch.store;

/** A lock a store holds for one writer until closed. */
@FunctionalInterface
public interface WriteLock extends AutoCloseable {
    /** For stores whose lock is taken when they open: nothing more to hold. */
    WriteLock NONE = () -> { };

    @Override
    void close();
}

package feedsearch.store;

/**
 * How well the store's index took the passages written to it.
 *
 * @param documents      passages in the index
 * @param percentIndexed how much of the keyspace the engine has indexed so far, 0..100
 * @param failures       passages the engine could not index
 * @param lastError      the engine's last indexing error; null when none
 */
public record IndexHealth(long documents, double percentIndexed, long failures, String lastError) {
}

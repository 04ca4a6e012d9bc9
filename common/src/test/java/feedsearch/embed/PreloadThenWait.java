package feedsearch.embed;

/**
 * A JVM that starts loading the model, says so on stdout, and waits: for
 * {@link LocalEmbedderSignalTest} to stop it with a signal while the load is under way.
 */
public final class PreloadThenWait {
    public static void main(String[] args) throws InterruptedException {
        LocalEmbedder.preload();
        System.out.println("loading");
        System.out.flush();
        Thread.sleep(60_000);
    }
}

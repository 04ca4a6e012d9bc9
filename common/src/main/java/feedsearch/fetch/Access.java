package feedsearch.fetch;

/**
 * Where fetches made for one feed may go. The user vouches for the feed they name, not for the
 * links inside it: an http(s) feed's links are fetched over http(s) only, and reach private and
 * loopback addresses only when the feed itself lives on one (or the user allows it); a feed read
 * from a local file may link to local files.
 */
public record Access(boolean localFiles, boolean privateAddresses) {
    /** For a feed the user named as a local file: they own what it links to. */
    public static final Access LOCAL_FEED = new Access(true, true);

    /** What both allow: a feed named on the private network but served from elsewhere gets the stricter. */
    public Access and(Access other) {
        return new Access(localFiles && other.localFiles, privateAddresses && other.privateAddresses);
    }
}

package feedsearch.ingest;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A feed to ingest.
 *
 * @param name what posts record as their feed, and what {@code query --feed} matches: the
 *             {@code --tag} (or an OPML outline's title), else the feed's URL
 */
public record FeedRequest(URI location, String name) {
    public static FeedRequest of(URI location, String tag) {
        return new FeedRequest(location, tag != null ? tag : location.toString());
    }

    /**
     * Each feed once, where it first appears. A name is what a feed's state is kept under, so a
     * second feed with a name already taken (two OPML outlines titled "Blog") is recorded under
     * its URL instead, and {@code warn} is told.
     */
    public static List<FeedRequest> distinct(List<FeedRequest> requests, Consumer<String> warn) {
        Map<URI, FeedRequest> byLocation = new LinkedHashMap<>();
        Map<String, URI> names = new HashMap<>();
        for (FeedRequest request : requests) {
            if (byLocation.containsKey(request.location())) {
                continue;
            }
            FeedRequest kept = request;
            URI owner = names.get(request.name());
            if (owner != null) {
                kept = new FeedRequest(request.location(), request.location().toString());
                warn.accept("the name '" + request.name() + "' is already taken by " + owner + ", so "
                        + request.location() + " is recorded under its URL");
            }
            names.putIfAbsent(kept.name(), kept.location());
            byLocation.put(kept.location(), kept);
        }
        return new ArrayList<>(byLocation.values());
    }
}

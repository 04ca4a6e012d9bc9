package feedsearch.fetch;

import okhttp3.Dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves each name once per run and keeps the answer. What a feed may reach is judged on its
 * host's addresses; were the name looked up again to connect, a hostile DNS server could answer
 * a private address for the judgement and its own public one for the fetch (DNS rebinding).
 */
final class PinnedDns implements Dns {
    private final Dns resolver;
    private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();

    PinnedDns(Dns resolver) {
        this.resolver = resolver;
    }

    @Override
    public List<InetAddress> lookup(String host) throws UnknownHostException {
        // One key per name however it is spelled, or "Evil.Example" and "evil.example" would be two lookups.
        host = host.toLowerCase(Locale.ROOT).replace("[", "").replace("]", "");
        List<InetAddress> known = answers.get(host);
        if (known != null) {
            return known;
        }
        List<InetAddress> resolved = List.copyOf(resolver.lookup(host));
        List<InetAddress> first = answers.putIfAbsent(host, resolved);
        return first != null ? first : resolved;
    }

    /** Whether every address of the host is private: only then is a feed there inside the private network. */
    boolean isPrivate(String host) {
        try {
            List<InetAddress> addresses = lookup(host);
            return !addresses.isEmpty() && addresses.stream().allMatch(a -> AddressKind.of(a) == AddressKind.PRIVATE);
        } catch (UnknownHostException e) {
            return false; // the fetch itself will say so
        }
    }
}

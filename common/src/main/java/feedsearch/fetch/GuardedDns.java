package feedsearch.fetch;

import okhttp3.Dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Name resolution that keeps only the addresses a fetch may connect to. The HTTP client connects
 * to exactly what this returns, for the first request and every redirect alike, so checking here
 * checks the address actually used: a name that resolves one way when checked and another when
 * connecting cannot slip past.
 */
final class GuardedDns implements Dns {
    /** The resolver found only addresses a fetch may not use; the message says why. */
    static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String message) {
            super(message);
        }
    }

    private final boolean privateAddresses;
    private final Dns resolver;

    GuardedDns(boolean privateAddresses, Dns resolver) {
        this.privateAddresses = privateAddresses;
        this.resolver = resolver;
    }

    @Override
    public List<InetAddress> lookup(String host) throws UnknownHostException {
        List<InetAddress> allowed = new ArrayList<>();
        String refusal = null;
        for (InetAddress address : resolver.lookup(host)) {
            AddressKind kind = AddressKind.of(address);
            if (kind == AddressKind.PUBLIC || (kind == AddressKind.PRIVATE && privateAddresses)) {
                allowed.add(address);
            } else if (refusal == null) {
                refusal = kind.refusal(address);
            }
        }
        if (allowed.isEmpty()) {
            throw new RefusedAddressException(refusal != null ? refusal : "no address for " + host);
        }
        return allowed;
    }
}

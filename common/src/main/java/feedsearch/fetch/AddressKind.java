package feedsearch.fetch;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Which part of the network an address belongs to, for deciding whether a link in a feed may
 * lead there. A link is written by whoever wrote the feed, so it must not reach what only this
 * machine can reach: its loopback, its private network, least of all the cloud metadata service
 * that hands out credentials.
 */
public enum AddressKind {
    /** The internet at large. */
    PUBLIC,
    /** Loopback, private ranges (RFC 1918, unique local IPv6, carrier-grade NAT): only with consent. */
    PRIVATE,
    /** Link-local (where cloud metadata lives), metadata addresses, multicast, unspecified, reserved: never. */
    FORBIDDEN;

    private static final byte[][] METADATA_SERVICES = {
            bytes("fd00:ec2::254"),     // AWS over IPv6; inside the unique local range, so named here
            bytes("100.100.100.200"),   // Alibaba Cloud; inside the carrier-grade NAT range
    };

    public static AddressKind of(InetAddress address) {
        byte[] b = address.getAddress();
        for (byte[] metadata : METADATA_SERVICES) {
            if (Arrays.equals(b, metadata)) {
                return FORBIDDEN;
            }
        }
        return address instanceof Inet6Address ? ofIpv6(b) : ofIpv4(b);
    }

    private static AddressKind ofIpv4(byte[] b) {
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 0 || first >= 224 || (first == 169 && second == 254)) {
            return FORBIDDEN; // "this network" (0.0.0.0 reaches loopback), multicast and reserved, link-local
        }
        if (first == 127 || first == 10 || (first == 172 && (second & 0xf0) == 16) || (first == 192 && second == 168)
                || (first == 100 && (second & 0xc0) == 64) || (first == 198 && (second & 0xfe) == 18)) {
            return PRIVATE;
        }
        return PUBLIC;
    }

    private static AddressKind ofIpv6(byte[] b) {
        byte[] embedded = embeddedIpv4(b);
        if (embedded != null) {
            return ofIpv4(embedded);
        }
        boolean unspecified = true;
        for (int i = 0; i < 16 && unspecified; i++) {
            unspecified = b[i] == 0;
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (unspecified || first == 0xff || (first == 0xfe && (second & 0xc0) == 0x80)) {
            return FORBIDDEN; // ::, multicast, link-local fe80::/10
        }
        boolean loopback = b[15] == 1 && Arrays.equals(Arrays.copyOf(b, 15), new byte[15]);
        if (loopback || (first & 0xfe) == 0xfc || (first == 0xfe && (second & 0xc0) == 0xc0)) {
            return PRIVATE; // ::1, unique local fc00::/7, the old site-local fec0::/10
        }
        return PUBLIC;
    }

    /**
     * The IPv4 address inside an IPv6 one that reaches it: IPv4-compatible ::a.b.c.d and mapped
     * ::ffff:a.b.c.d (Java turns most of those into IPv4 already), NAT64 64:ff9b::/96 and 6to4 2002::/16.
     */
    private static byte[] embeddedIpv4(byte[] b) {
        boolean zeros80 = Arrays.equals(Arrays.copyOf(b, 10), new byte[10]);
        boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeros80 && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && Arrays.equals(Arrays.copyOfRange(b, 4, 12), new byte[8]);
        if (mapped || compatible || nat64) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return Arrays.copyOfRange(b, 2, 6);
        }
        return null;
    }

    private static byte[] bytes(String literal) {
        try {
            return InetAddress.getByName(literal).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Says why a fetch there is refused, in words a user can act on. */
    String refusal(InetAddress address) {
        String shown = address instanceof Inet4Address ? address.getHostAddress() : "[" + address.getHostAddress() + "]";
        return switch (this) {
            case FORBIDDEN -> shown + " is a link-local, metadata-service or reserved address, which feedsearch never fetches";
            case PRIVATE -> shown + " is a private or loopback address, and the feed came from a public one"
                    + " (--allow-private-links allows it)";
            case PUBLIC -> shown + " is public";
        };
    }
}

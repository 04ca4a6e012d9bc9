package feedsearch.fetch;

import okhttp3.Dns;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a name may resolve to, with a resolver that answers from a table: no lookup leaves the test. */
class GuardedDnsTest {
    private static Dns answering(String... literals) {
        return host -> {
            List<InetAddress> addresses = new ArrayList<>();
            for (String literal : literals) {
                addresses.add(InetAddress.getByName(literal));
            }
            return addresses;
        };
    }

    @Test
    void aPublicFeedsLinksNeverReachPrivateOrMetadataAddresses() {
        UnknownHostException loopback = assertThrows(UnknownHostException.class,
                () -> new GuardedDns(false, answering("127.0.0.1")).lookup("rebinding.example"));
        assertEquals("127.0.0.1 is a private or loopback address, and the feed came from a public one"
                + " (--allow-private-links allows it)", loopback.getMessage());

        UnknownHostException metadata = assertThrows(UnknownHostException.class,
                () -> new GuardedDns(true, answering("169.254.169.254")).lookup("metadata.example"));
        assertTrue(metadata.getMessage().startsWith("169.254.169.254 is a link-local, metadata-service or reserved address"),
                metadata.getMessage());
        assertThrows(UnknownHostException.class, () -> new GuardedDns(true, answering("fd00:ec2::254")).lookup("v6.example"));
    }

    @Test
    void onlyAllowedAddressesAreHandedToTheClient() throws Exception {
        // A name with a public and a private address: only the public one may be connected to.
        List<InetAddress> mixed = new GuardedDns(false, answering("10.0.0.5", "93.184.215.14")).lookup("mixed.example");
        assertEquals(List.of(InetAddress.getByName("93.184.215.14")), mixed);

        List<InetAddress> consented = new GuardedDns(true, answering("10.0.0.5", "169.254.169.254")).lookup("lan.example");
        assertEquals(List.of(InetAddress.getByName("10.0.0.5")), consented);
    }

    @Test
    void aNameIsResolvedOnceSoItCannotRebindBetweenJudgementAndFetch() throws Exception {
        String[][] answers = {{"10.0.0.7"}, {"93.184.215.14"}};
        int[] lookups = {0};
        PinnedDns pinned = new PinnedDns(host -> answering(answers[Math.min(lookups[0]++, 1)]).lookup(host));

        assertTrue(pinned.isPrivate("Rebind.Example"));
        assertEquals(List.of(InetAddress.getByName("10.0.0.7")), pinned.lookup("rebind.example"));
        assertEquals(1, lookups[0], "the second answer is never asked for, however the name is spelled");
    }

    @Test
    void aFeedHostCountsAsPrivateOnlyWhenAllItsAddressesAre() {
        // Otherwise a public feed could claim the private network by listing one private address.
        assertFalse(new PinnedDns(answering("10.0.0.7", "93.184.215.14")).isPrivate("both.example"));
        assertTrue(new PinnedDns(answering("10.0.0.7", "::1")).isPrivate("inside.example"));
        assertFalse(new PinnedDns(answering("169.254.169.254")).isPrivate("metadata.example"));
    }
}

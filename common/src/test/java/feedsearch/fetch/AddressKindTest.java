package feedsearch.fetch;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The address policy as a unit: literals only, so no traffic leaves this machine. */
class AddressKindTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            // cloud metadata and link-local: never
            "169.254.169.254, FORBIDDEN", "169.254.170.2, FORBIDDEN", "fd00:ec2::254, FORBIDDEN",
            "100.100.100.200, FORBIDDEN", "fe80::1, FORBIDDEN", "::ffff:169.254.169.254, FORBIDDEN",
            "64:ff9b::a9fe:a9fe, FORBIDDEN", "2002:a9fe:a9fe::1, FORBIDDEN",
            // unspecified, multicast, reserved: never
            "0.0.0.0, FORBIDDEN", "0.1.2.3, FORBIDDEN", ":: , FORBIDDEN", "224.0.0.1, FORBIDDEN",
            "ff02::1, FORBIDDEN", "240.0.0.1, FORBIDDEN", "255.255.255.255, FORBIDDEN",
            // loopback and private: with consent
            "127.0.0.1, PRIVATE", "127.255.0.9, PRIVATE", "::1, PRIVATE", "::ffff:127.0.0.1, PRIVATE",
            "10.0.0.1, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE",
            "100.64.0.1, PRIVATE", "198.18.0.1, PRIVATE", "fc00::1, PRIVATE", "fd12:3456::1, PRIVATE",
            "::ffff:10.1.2.3, PRIVATE", "64:ff9b::7f00:1, PRIVATE", "::127.0.0.1, PRIVATE",
            // the internet
            "93.184.215.14, PUBLIC", "172.32.0.1, PUBLIC", "172.15.255.255, PUBLIC", "100.128.0.1, PUBLIC",
            "8.8.8.8, PUBLIC", "2606:4700::1111, PUBLIC", "::ffff:8.8.8.8, PUBLIC"})
    void classifiesAddresses(String literal, AddressKind expected) throws Exception {
        assertEquals(expected, AddressKind.of(InetAddress.getByName(literal.strip())));
    }
}

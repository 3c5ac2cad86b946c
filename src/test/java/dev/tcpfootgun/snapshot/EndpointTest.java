package dev.tcpfootgun.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Loopback-ness decided once per address answers as the String test each check made per socket before. */
class EndpointTest {

    /** The predicate Endpoint.isLoopback() was, per call. */
    private static boolean oldIsLoopback(String ip) {
        return ip.startsWith("127.") || "::1".equals(ip);
    }

    /** The record Endpoint was: its generated hash is what maps keyed by endpoints iterated in. */
    private record TwoPart(String ip, int port) {}

    private static final List<String> ADDRESSES = List.of(
            "127.0.0.1", "127.0.0.53", "127.255.255.254", "127.1.2.3", "10.0.0.127", "128.0.0.1", "12.7.0.1", "1.27.0.0",
            "0.0.0.0", "255.255.255.255", "::1", "::", "::2", "fe80::1", "2001:db8::1", "::127.0.0.1", "fd00::127:1",
            // v4-mapped addresses are in dotted-quad text (as the sources write them): a mapped 127.x is loopback
            "10.1.2.3", "127.0.0.2");

    @Test
    void theAddressDecidesAsTheOldPredicateDid() {
        for (String ip : ADDRESSES) {
            for (int port : new int[] {0, 1, 443, 65535}) {
                Endpoint e = new Endpoint(ip, port);
                assertThat(e.isLoopback()).as(ip).isEqualTo(oldIsLoopback(ip));
                assertThat(Endpoint.loopback(ip)).as(ip).isEqualTo(oldIsLoopback(ip));
                assertThat(new Endpoint(ip, port, oldIsLoopback(ip))).isEqualTo(e);
                assertThat(e.hashCode()).as(ip).isEqualTo(new TwoPart(ip, port).hashCode());
                assertThat(e).isNotEqualTo(new Endpoint(ip, port == 0 ? 1 : 0));
            }
        }
    }

    @Test
    void aLoopbackAnswerThatIsNotTheAddresssIsRefusedUnderTest() {
        // the sources pass the answer they remembered for the address; tests run with assertions on
        assertThatThrownBy(() -> new Endpoint("10.0.0.1", 80, true)).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> new Endpoint("::1", 80, false)).isInstanceOf(AssertionError.class);
    }
}

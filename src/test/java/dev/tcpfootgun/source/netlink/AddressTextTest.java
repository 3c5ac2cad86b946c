package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import dev.tcpfootgun.snapshot.CompactSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressTextTest {

    @ParameterizedTest
    @CsvSource({
        "::, ::",
        "::1, ::1",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1", // RFC 5952 4.2.1: the longest run
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // 4.2.2: a single zero group stays
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1", // 4.2.3: the longer run
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // 4.2.3: the first of equal runs
        "2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:0001, 2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", // 4.3 lowercase, no leading zeros
        "fe80:0:0:0:0:0:0:0, fe80::",
        "::ffff:10.1.2.3, 10.1.2.3", // v4-mapped shown as IPv4
        "::ffff:0.0.0.0, 0.0.0.0",
        "0:0:0:0:0:fffe:a01:203, ::fffe:a01:203", // not mapped
    })
    void ipv6IsRfc5952(String input, String expected) throws Exception {
        byte[] raw = InetAddress.getByName(input).getAddress();
        byte[] sixteen = raw.length == 16 ? raw : mapped(raw);
        assertThat(new AddressText().format(sixteen, 0, true)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.200.3.41"})
    void ipv4IsDotted(String input) throws Exception {
        byte[] raw = InetAddress.getByName(input).getAddress();
        AddressText text = new AddressText();
        assertThat(text.format(raw, 0, false)).isEqualTo(input);
        assertThat(text.format(raw.clone(), 0, false)).isEqualTo(input); // from the cache
    }

    /** Thousands of addresses through 256 slots, v4 and v6 with the same low bits: each id is its text's in the store. */
    @Test
    void idsAreTheStoresIdsOfTheTextEvenAfterTheirSlotWasReused() throws Exception {
        CompactSockets store = new CompactSockets();
        AddressText text = new AddressText();
        java.util.Random random = new java.util.Random(18);
        for (int n = 0; n < 20_000; n++) {
            int a = random.nextInt(3000);
            boolean v6 = random.nextBoolean();
            byte[] v4 = {10, (byte) (a >> 8), (byte) a, 1};
            byte[] raw = v6 ? InetAddress.getByAddress(new byte[] {32, 1, 13, (byte) 184, 0, 0, 0, 0, 0, 0, 0, 0, 10, (byte) (a >> 8), (byte) a, 1}).getAddress() : v4;
            int id = text.id(raw, 0, v6, store);
            String expected = InetAddress.getByAddress(raw).getHostAddress().replace(":0:0:0:0:", "::");
            assertThat(text.format(raw, 0, v6)).isEqualTo(v6 ? expected : "10." + (a >> 8) + "." + (a & 0xff) + ".1");
            assertThat(id).isEqualTo(store.addressId(expected));
        }
    }

    /** The endpoint's loopback answer is its address's, also when a slot passes from a loopback address to another. */
    @Test
    void endpointsCarryTheirAddresssLoopbackAnswer() throws Exception {
        AddressText text = new AddressText();
        java.util.Random random = new java.util.Random(18);
        for (int n = 0; n < 20_000; n++) {
            int a = random.nextInt(3000);
            byte[] raw = switch (random.nextInt(4)) {
                case 0 -> new byte[] {127, (byte) (a >> 8), (byte) a, 1};
                case 1 -> new byte[] {10, (byte) (a >> 8), (byte) a, 1};
                case 2 -> mapped(new byte[] {(byte) (a % 2 == 0 ? 127 : 10), 0, (byte) a, 1});
                default -> InetAddress.getByName(a % 7 == 0 ? "::1" : "2001:db8::" + Integer.toHexString(a)).getAddress();
            };
            boolean v6 = raw.length == 16;
            var e = text.endpoint(raw, 0, v6, a);
            String ip = text.format(raw, 0, v6);
            assertThat(e.ip()).isEqualTo(ip);
            assertThat(e.port()).isEqualTo(a);
            assertThat(e.isLoopback()).as(ip).isEqualTo(ip.startsWith("127.") || "::1".equals(ip));
        }
    }

    /** Endpoints are shared between sockets of one address and port, and only between those, whatever else came between. */
    @Test
    void endpointsAreSharedOnlyForTheSameAddressAndPort() throws Exception {
        AddressText text = new AddressText();
        java.util.Random random = new java.util.Random(18);
        byte[] destination = {10, 0, 0, 7};
        var last = text.endpoint(destination, 0, false, 5432);
        int shared = 0;
        for (int n = 0; n < 20_000; n++) {
            int a = random.nextInt(20); // a node's few addresses (the address cache holds 256), many ports
            int port = random.nextInt(4) == 0 ? 5432 : random.nextInt(65536);
            boolean v6 = random.nextBoolean();
            byte[] raw = v6 ? InetAddress.getByName("2001:db8::" + Integer.toHexString(a)).getAddress()
                    : new byte[] {10, 0, (byte) (a >> 8), (byte) a};
            var e = text.endpoint(raw, 0, v6, port);
            assertThat(e).isEqualTo(new dev.tcpfootgun.snapshot.Endpoint(text.format(raw, 0, v6), port));
            var again = text.endpoint(destination, 0, false, 5432);
            assertThat(again).isEqualTo(last);
            shared += again == last ? 1 : 0;
            last = again;
        }
        // one entry a (slot, port), 1024 of them: another pair evicts it now and then, most lookups still find it
        assertThat(shared).isGreaterThan(19_000);
    }

    private static byte[] mapped(byte[] v4) {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(v4, 0, b, 12, 4);
        return b;
    }
}

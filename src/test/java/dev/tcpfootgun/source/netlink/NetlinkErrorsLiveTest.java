package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Requests this kernel refuses, and a receive buffer too small for its datagrams. */
class NetlinkErrorsLiveTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    /** struct inet_diag_req_v2 (56 bytes) for one family's TCP sockets, every state. */
    private static byte[] v2Request(int family) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(56).order(java.nio.ByteOrder.nativeOrder());
        b.put(0, (byte) family);
        b.put(1, (byte) 6); // IPPROTO_TCP
        b.putInt(4, ~0);
        b.putInt(48, -1); // idiag_cookie {~0, ~0}: INET_DIAG_NOCOOKIE
        b.putInt(52, -1);
        return b.array();
    }

    @Test
    void sockDiagForAnImpossibleFamilyIsEinval() throws IOException {
        try (NetlinkSocket socket = new NetlinkSocket(NetlinkSocket.NETLINK_SOCK_DIAG, TIMEOUT)) {
            assertThatThrownBy(() -> socket.dump(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, v2Request(200), m -> { }))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EINVAL); // sdiag_family >= AF_MAX
                        assertThat(e.errnoName()).isEqualTo("EINVAL");
                    });
            // the socket is still usable after a refused request
            List<Object> messages = new ArrayList<>();
            socket.dump(InetDiagDecoder.SOCK_DIAG_BY_FAMILY, v2Request(InetDiagDecoder.AF_INET), messages::add);
        }
    }

    @Test
    void exactLookupOfANonexistentSocketIsEnoent() throws IOException {
        try (NetlinkSocket socket = new NetlinkSocket(NetlinkSocket.NETLINK_SOCK_DIAG, TIMEOUT)) {
            // without NLM_F_DUMP this is inet_diag_get_exact for 0.0.0.0:0 -> 0.0.0.0:0
            assertThatThrownBy(() -> socket.request(InetDiagDecoder.SOCK_DIAG_BY_FAMILY,
                            v2Request(InetDiagDecoder.AF_INET), m -> { }))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
        }
    }

    @Test
    void anUnknownRtnetlinkMessageTypeIsRefused() throws IOException {
        try (NetlinkSocket socket = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, TIMEOUT)) {
            assertThatThrownBy(() -> socket.dump(0x7ff, new byte[16], m -> { }))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP"));
        }
    }

    @Test
    void aDatagramLargerThanTheBufferIsReportedNotSilentlyCut() throws IOException {
        try (NetlinkSocket socket = new NetlinkSocket(NetlinkSocket.NETLINK_ROUTE, TIMEOUT, 256)) {
            assertThatThrownBy(() -> socket.dump(RtnetlinkLinks.RTM_GETLINK, new byte[16], m -> { }))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("truncated to 256");
        }
    }

    @Test
    void anUnavailableNetlinkProtocolFailsAtOpen() {
        assertThatThrownBy(() -> new NetlinkSocket(31, TIMEOUT).close()) // MAX_LINKS is 32; 31 is unassigned
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EPROTONOSUPPORT"))
                .hasMessageContaining("socket(AF_NETLINK, 31)");
    }
}

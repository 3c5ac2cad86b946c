package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Observation's two shared ConnectionPeers answer as the ones each caller built for itself before. */
class SharedPeersTest {

    private static Snapshots node() {
        return Snapshots.node()
                .listener("0.0.0.0", 8080, 0, 128)
                .listener("10.0.0.5", 443, 0, 128)
                .listener("127.0.0.1", 6379, 0, 128)
                .socket(listen(Family.INET6, "::", 8443))
                .socket(listen(Family.INET6, "::1", 9090))
                .socket(listen(Family.INET6, "10.0.0.5", 5000)) // IPv4-mapped: the text is the dotted quad
                .socket(listen(Family.INET6, "fd00::5", 40500)) // a listener inside the ephemeral range
                // inbound, to a listener and to a port outside the range without one
                .connection("10.0.0.5", 443, "10.0.0.9", 50000, null, null)
                .connection("10.0.0.5", 2000, "10.0.0.9", 50001, null, null)
                .connection("10.0.0.5", 8080, "192.168.1.4", 40001, null, null)
                // outbound, also from a port that is a listener's on another address
                .connection("10.0.0.5", 40002, "10.0.0.7", 5432, null, null)
                .connection("10.0.0.6", 443, "10.0.0.7", 5432, null, null)
                // loopback both ways, IPv4 and IPv6
                .connection("127.0.0.1", 40003, "127.0.0.1", 6379, null, null)
                .connection("127.0.0.1", 6379, "127.0.0.1", 40003, null, null)
                .socket(open(Family.INET6, "::1", 40004, "::1", 9090, TcpState.ESTABLISHED))
                .socket(open(Family.INET6, "::1", 9090, "::1", 40004, TcpState.ESTABLISHED))
                .socket(open(Family.INET6, "fd00::5", 40500, "fd00::9", 41000, TcpState.ESTABLISHED))
                .socket(open(Family.INET6, "10.0.0.5", 5000, "10.0.0.8", 45000, TcpState.ESTABLISHED))
                // TIME_WAIT of servers and of clients: the census asks the ranged peers for these
                .clients("10.0.0.5", "10.0.0.9", 50002, TcpState.TIME_WAIT, 443, 1, 30_000)
                .clients("10.0.0.5", "192.168.1.4", 40010, TcpState.TIME_WAIT, 8080, 1, 30_000)
                .clients("10.0.0.5", "10.0.0.7", 5432, TcpState.TIME_WAIT, 40020, 5, 30_000)
                .clients("127.0.0.1", "127.0.0.1", 40030, TcpState.TIME_WAIT, 6379, 1, 30_000);
    }

    private static TcpSocket listen(Family family, String ip, int port) {
        return TcpSocket.basic(family, TcpState.LISTEN, new Endpoint(ip, port), new Endpoint(family == Family.INET ? "0.0.0.0" : "::", 0));
    }

    private static TcpSocket open(Family family, String ip, int port, String remoteIp, int remotePort, TcpState state) {
        return TcpSocket.basic(family, state, new Endpoint(ip, port), new Endpoint(remoteIp, remotePort));
    }

    @Test
    void everyCallerGetsTheAnswersItsOwnPeersGave() {
        for (Snapshots s : List.of(node(), node().sysctl("net.ipv4.ip_local_port_range", "40000\t60999"),
                node().sysctl("net.ipv4.ip_local_port_range", "32768\t60999").sysctl("net.ipv4.ip_local_reserved_ports", "40400-40600"))) {
            NodeSnapshot snap = s.build();
            Observation o = Snapshots.observe(snap, null);
            List<TcpSocket> open = snap.sockets().value().orElseThrow().open();
            ConnectionPeers listening = ConnectionPeers.of(open);
            ConnectionPeers ranged = ConnectionPeers.of(open, SocketCensus.ephemeralPorts(snap));
            // the census first, as the checks run: it may make the ranged peers, which the renderer then shares
            assertThat(o.census()).isEqualTo(SocketCensus.of(snap));
            assertThat(o.rangedPeers()).isSameAs(o.rangedPeers());
            assertThat(o.listeningPeers()).isSameAs(o.listeningPeers());
            Set<String> ips = new LinkedHashSet<>(List.of("10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.5"));
            open.forEach(t -> ips.add(t.local().ip()));
            for (String ip : ips) {
                for (int port = 0; port < 65536; port++) {
                    assertThat(o.listeningPeers().inbound(ip, port)).as(ip + ":" + port).isEqualTo(listening.inbound(ip, port));
                    assertThat(o.rangedPeers().inbound(ip, port)).as(ip + ":" + port + " ranged").isEqualTo(ranged.inbound(ip, port));
                }
            }
            for (TcpSocket t : open) {
                assertThat(o.listeningPeers().of(t)).isEqualTo(listening.of(t));
                assertThat(o.rangedPeers().of(t)).isEqualTo(ranged.of(t));
            }
        }
    }

    @Test
    void theRangeTellsTheSharedPeersApartWhereItIsKnown() {
        Observation unknown = Snapshots.observe(node().build(), null);
        Observation known = Snapshots.observe(node().sysctl("net.ipv4.ip_local_port_range", "40000\t60999").build(), null);
        // no listener on 10.0.0.5:2000: a server's only by the range
        assertThat(unknown.rangedPeers().inbound("10.0.0.5", 2000)).isFalse();
        assertThat(known.rangedPeers().inbound("10.0.0.5", 2000)).isTrue();
        assertThat(known.listeningPeers().inbound("10.0.0.5", 2000)).isFalse();
        assertThat(known.rangedPeers().inbound("fd00::5", 40500)).isTrue();
        assertThat(known.rangedPeers().inbound("fd00::6", 40500)).isFalse();
    }
}

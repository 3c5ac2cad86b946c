package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server end of a connection by listening port and, where the range is known, by a local port connect() could not pick. */
class ConnectionPeersTest {

    @Test
    void aPortOutsideTheEphemeralOnesIsAServersForEveryRangeAndReservedList() {
        List<EphemeralPorts> cases = List.of(
                new EphemeralPorts(new PortRange(32768, 60999), List.of()),
                new EphemeralPorts(new PortRange(1024, 65535), List.of(new PortRange(8000, 8099), new PortRange(9000, 9004))),
                // word edges, a reserved list overlapping itself and the range's ends, a one-port range
                new EphemeralPorts(new PortRange(63, 129), List.of(new PortRange(0, 64), new PortRange(60, 70), new PortRange(128, 200))),
                new EphemeralPorts(new PortRange(0, 65535), List.of(new PortRange(65535, 65535), new PortRange(0, 0))),
                new EphemeralPorts(new PortRange(40000, 40000), List.of()),
                new EphemeralPorts(new PortRange(1000, 2000), List.of(new PortRange(1000, 2000))));
        for (EphemeralPorts ports : cases) {
            ConnectionPeers peers = ConnectionPeers.of(List.of(), ports);
            for (int port = 0; port < 65536; port++) {
                assertThat(peers.inbound("10.0.0.1", port)).as(ports + " port " + port).isEqualTo(!ports.isEphemeral(port));
            }
        }
    }

    @Test
    void aListeningPortOnTheAddressOrAWildcardMarksTheServerEndWhateverTheRange() {
        List<TcpSocket> sockets = List.of(
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.5", 443), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 63), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET6, TcpState.LISTEN, new Endpoint("::", 65535), new Endpoint("::", 0)),
                // one port on several addresses, one of them twice (SO_REUSEPORT)
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.7", 5432), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.8", 5432), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.8", 5432), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.9", 5432), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.5", 80), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("10.0.0.5", 80), new Endpoint("0.0.0.0", 0)),
                TcpSocket.basic(Family.INET6, TcpState.LISTEN, new Endpoint("fd00::1", 8443), new Endpoint("::", 0)),
                TcpSocket.basic(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 8443), new Endpoint("0.0.0.0", 0)));
        ConnectionPeers peers = ConnectionPeers.of(sockets);
        assertThat(peers.inbound("10.0.0.5", 443)).isTrue();
        assertThat(peers.inbound("10.0.0.6", 443)).isFalse();
        assertThat(peers.inbound("192.168.1.1", 63)).isTrue();
        assertThat(peers.inbound("fd00::1", 65535)).isTrue();
        for (String ip : new String[] {"10.0.0.7", "10.0.0.8", "10.0.0.9"}) {
            assertThat(peers.inbound(ip, 5432)).as(ip).isTrue();
        }
        assertThat(peers.inbound("10.0.0.10", 5432)).isFalse();
        assertThat(peers.inbound("10.0.0.5", 80)).isTrue();
        assertThat(peers.inbound("10.0.0.6", 80)).isFalse();
        assertThat(peers.inbound("10.9.9.9", 8443)).isTrue(); // the wildcard beside an address
        for (int port : new int[] {0, 62, 64, 442, 444, 65534}) {
            assertThat(peers.inbound("10.0.0.5", port)).as("port " + port).isFalse();
        }
        // a listening port inside the ephemeral range is still a server's
        ConnectionPeers ranged = ConnectionPeers.of(sockets, new EphemeralPorts(new PortRange(1, 65535), List.of()));
        assertThat(ranged.inbound("10.0.0.5", 443)).isTrue();
        assertThat(ranged.inbound("10.0.0.5", 444)).isFalse();
        assertThat(ranged.inbound("10.0.0.5", 0)).isTrue();
    }
}

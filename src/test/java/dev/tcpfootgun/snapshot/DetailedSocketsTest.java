package dev.tcpfootgun.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The listeners of a filled store are made once and shared by every reader; a change to the sockets makes them again. */
class DetailedSocketsTest {

    private static TcpSocket socket(TcpState state, int localPort) {
        return TcpSocket.basic(Family.INET, state, new Endpoint("10.0.0.1", localPort),
                state == TcpState.LISTEN ? new Endpoint("0.0.0.0", 0) : new Endpoint("10.0.0.2", 40000 + localPort));
    }

    @Test
    void listenersAreMadeOnceAndFollowTheSockets() {
        DetailedSockets d = new DetailedSockets();
        d.add(socket(TcpState.LISTEN, 80));
        d.add(socket(TcpState.ESTABLISHED, 81));
        d.add(socket(TcpState.LISTEN, 443));
        List<TcpSocket> first = d.listeners();
        assertThat(first).containsExactly(socket(TcpState.LISTEN, 80), socket(TcpState.LISTEN, 443));
        assertThat(d.listeners()).isSameAs(first);

        d.truncate(2); // a dump rolled back past the second listener
        assertThat(d.listeners()).containsExactly(socket(TcpState.LISTEN, 80));
        d.add(socket(TcpState.LISTEN, 8080));
        assertThat(d.listeners()).containsExactly(socket(TcpState.LISTEN, 80), socket(TcpState.LISTEN, 8080));
    }
}

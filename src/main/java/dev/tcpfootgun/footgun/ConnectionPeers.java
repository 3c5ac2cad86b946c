package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names the other end of a connection the way a check reports it: the remote address and port of an
 * outbound connection, or "clients of" the local address and port for a connection a local listener
 * accepted, whose remote ports are the clients' ephemeral ones and would split one service into
 * a group per connection.
 */
final class ConnectionPeers {

    private final Map<Integer, Set<String>> listening;

    private ConnectionPeers(Map<Integer, Set<String>> listening) {
        this.listening = listening;
    }

    static ConnectionPeers of(List<TcpSocket> sockets) {
        Map<Integer, Set<String>> listening = new HashMap<>();
        for (TcpSocket s : sockets) {
            if (s.state() == TcpState.LISTEN) {
                listening.computeIfAbsent(s.local().port(), p -> new HashSet<>()).add(s.local().ip());
            }
        }
        return new ConnectionPeers(listening);
    }

    String of(TcpSocket s) {
        Set<String> ips = listening.get(s.local().port());
        if (ips != null && (ips.contains(s.local().ip()) || ips.contains("0.0.0.0") || ips.contains("::"))) {
            return "clients of " + s.local();
        }
        return s.remote().toString();
    }
}

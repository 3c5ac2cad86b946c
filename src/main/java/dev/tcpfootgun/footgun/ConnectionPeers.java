package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names the other end of a connection the way a check or a series reports it: the remote address
 * and port of an outbound connection, or "clients of" the local address and port for a connection a
 * local server holds, whose remote ports are the clients' ephemeral ones and would split one service
 * into a group (a series) per connection. A connection is the server's when its local port is a
 * listening one on its address (or a wildcard), or, where the ephemeral range is known, when its local
 * port is outside it: connect() never picked that port, so this end was not the client.
 */
public final class ConnectionPeers {

    private final Map<Integer, Set<String>> listening;
    /** The ports in {@link #listening}, so that the sockets on other ports (most) skip the map. */
    private final boolean[] listened = new boolean[65536];
    /** {@link EphemeralPorts#mask()}; null when the range is unknown: then only listening ports mark a server end. */
    private final boolean[] ephemeral;

    private ConnectionPeers(Map<Integer, Set<String>> listening, EphemeralPorts ports) {
        this.listening = listening;
        listening.keySet().forEach(p -> listened[p] = true);
        this.ephemeral = ports == null ? null : ports.mask();
    }

    /** Server ends by listening ports alone. */
    static ConnectionPeers of(List<TcpSocket> sockets) {
        return of(sockets, null);
    }

    /** Server ends by listening ports, and by local ports outside {@code ports} (null: unknown). */
    public static ConnectionPeers of(List<TcpSocket> sockets, EphemeralPorts ports) {
        Map<Integer, Set<String>> listening = new HashMap<>();
        for (TcpSocket s : sockets) {
            if (s.state() == TcpState.LISTEN) {
                listening.computeIfAbsent(s.local().port(), p -> new HashSet<>()).add(s.local().ip());
            }
        }
        return new ConnectionPeers(listening, ports);
    }

    /** Whether the socket with this local address is the server end of its connection. */
    public boolean inbound(String localIp, int localPort) {
        if (listened[localPort]) {
            Set<String> ips = listening.get(localPort);
            if (ips.contains(localIp) || ips.contains("0.0.0.0") || ips.contains("::")) {
                return true;
            }
        }
        return ephemeral != null && !ephemeral[localPort];
    }

    Peer of(TcpSocket s) {
        return inbound(s.local().ip(), s.local().port()) ? new Peer(s.local(), true) : new Peer(s.remote(), false);
    }

    /** The server end of a connection: the remote one, or a local server's ({@code clients}: the connection is one of its clients'). */
    record Peer(Endpoint end, boolean clients) {
        /** "clients of 10.0.0.5:443" or "10.0.0.7:5432". */
        Prose named() {
            return clients ? Prose.of("clients of ", end) : Prose.of(end);
        }
    }
}

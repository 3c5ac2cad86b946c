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

    /** Each listening port's address: a String, or a Set of them for a port listened on at several (rare: a set each was most of this class's allocation). */
    private final Map<Integer, Object> listening;
    /**
     * The ports in {@link #listening} as bits, so that the sockets on other ports (most) skip the map:
     * 8 KiB, where a boolean a port was 64 KiB allocated per scrape by each of the four callers.
     */
    private final long[] listened;
    /** {@link EphemeralPorts#isEphemeral} of every port as bits; null when the range is unknown: then only listening ports mark a server end. */
    private final long[] ephemeral;

    private static final int PORTS = 65536;

    private ConnectionPeers(Map<Integer, Object> listening, long[] listened, EphemeralPorts ports) {
        this.listening = listening;
        this.listened = listened;
        this.ephemeral = ports == null ? null : ephemeralBits(ports);
    }

    /** These listening ports with {@code ports} (null: unknown) as well: the same answers as {@link #of(List, EphemeralPorts)} on the same sockets, without reading them again. */
    ConnectionPeers withRange(EphemeralPorts ports) {
        return new ConnectionPeers(listening, listened, ports);
    }

    /** The same ports as {@link EphemeralPorts#mask()}: the range set, then each reserved range in it cleared. */
    static long[] ephemeralBits(EphemeralPorts ports) {
        long[] bits = new long[PORTS / 64];
        setBits(bits, ports.range().low(), ports.range().high() + 1, true);
        for (var r : ports.reserved()) {
            int lo = Math.max(r.low(), ports.range().low());
            int hi = Math.min(r.high(), ports.range().high());
            if (lo <= hi) {
                setBits(bits, lo, hi + 1, false);
            }
        }
        return bits;
    }

    /** Sets or clears the bits [from, to), a word at a time. */
    private static void setBits(long[] bits, int from, int to, boolean on) {
        for (int p = from; p < to; ) {
            int bit = p & 63;
            int n = Math.min(64 - bit, to - p);
            long m = (n == 64 ? -1L : (1L << n) - 1) << bit;
            bits[p >>> 6] = on ? bits[p >>> 6] | m : bits[p >>> 6] & ~m;
            p += n;
        }
    }

    private static boolean has(long[] bits, int port) {
        return (bits[port >>> 6] & (1L << port)) != 0;
    }

    /** Server ends by listening ports alone. */
    static ConnectionPeers of(List<TcpSocket> sockets) {
        return of(sockets, null);
    }

    /** Server ends by listening ports, and by local ports outside {@code ports} (null: unknown). */
    public static ConnectionPeers of(List<TcpSocket> sockets, EphemeralPorts ports) {
        Map<Integer, Object> listening = new HashMap<>();
        long[] listened = new long[PORTS / 64];
        for (TcpSocket s : sockets) {
            if (s.state() == TcpState.LISTEN) {
                int port = s.local().port();
                listening.merge(port, s.local().ip(), ConnectionPeers::withAddress);
                listened[port >>> 6] |= 1L << port;
            }
        }
        return new ConnectionPeers(listening, listened, ports);
    }

    /** A port's addresses with one more: the same String when it is the same, else a Set of them. */
    @SuppressWarnings("unchecked")
    private static Object withAddress(Object held, Object ip) {
        if (held.equals(ip)) {
            return held;
        }
        Set<String> ips = held instanceof Set<?> set ? (Set<String>) set : new HashSet<>(Set.of((String) held));
        ips.add((String) ip);
        return ips;
    }

    /** Whether the socket with this local address is the server end of its connection. */
    public boolean inbound(String localIp, int localPort) {
        if (has(listened, localPort)) {
            Object held = listening.get(localPort);
            boolean atPort = held instanceof Set<?> ips
                    ? ips.contains(localIp) || ips.contains("0.0.0.0") || ips.contains("::")
                    : held.equals(localIp) || held.equals("0.0.0.0") || held.equals("::");
            if (atPort) {
                return true;
            }
        }
        return ephemeral != null && !has(ephemeral, localPort);
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

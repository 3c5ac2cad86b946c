package dev.tcpfootgun.snapshot;

/**
 * One end of a socket. {@code ip} is the canonical text form: dotted quad for IPv4 and for
 * v4-mapped IPv6 addresses, RFC 5952 compressed form for the rest of IPv6. {@code isLoopback} is
 * {@link #loopback(String)} of {@code ip}, decided once per address by the sources that remember
 * addresses (not by a String test per socket and per check), and left out of equality.
 */
public record Endpoint(String ip, int port, boolean isLoopback) {
    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        assert isLoopback == loopback(ip) : ip + " given loopback " + isLoopback;
    }

    public Endpoint(String ip, int port) {
        this(ip, port, loopback(ip));
    }

    /** Whether the address (in {@link Endpoint}'s text form) is IPv4 loopback 127/8 or IPv6's ::1. */
    public static boolean loopback(String ip) {
        return ip.startsWith("127.") || "::1".equals(ip);
    }

    /** True for the unspecified address with port 0, the remote end of an unconnected socket. */
    public boolean isUnspecified() {
        return port == 0 && ("0.0.0.0".equals(ip) || "::".equals(ip));
    }

    // written out over ip and port alone (isLoopback follows from ip), with the hash the two-part record had
    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && port == e.port && ip.equals(e.ip);
    }

    @Override
    public int hashCode() {
        return 31 * ip.hashCode() + port;
    }

    @Override
    public String toString() {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}

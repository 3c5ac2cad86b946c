package dev.tcpfootgun.snapshot;

/**
 * One end of a socket. {@code ip} is the canonical text form: dotted quad for IPv4 and for
 * v4-mapped IPv6 addresses, RFC 5952 compressed form for the rest of IPv6.
 */
public record Endpoint(String ip, int port) {
    public Endpoint {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** True for the unspecified address with port 0, the remote end of an unconnected socket. */
    public boolean isUnspecified() {
        return port == 0 && ("0.0.0.0".equals(ip) || "::".equals(ip));
    }

    public boolean isLoopback() {
        return ip.startsWith("127.") || "::1".equals(ip);
    }

    @Override
    public String toString() {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }
}

package dev.tcpfootgun.footgun;

/**
 * A connection's server end, as {@link ConnectionPeers} names it: the remote address and port of an
 * outbound connection, the local listener's of an inbound one. A map key, per socket at 100k sockets.
 */
public record ServerEnd(String ip, int port, boolean inbound) {
    // written out: a record's generated equals and hashCode are method-handle chains under the C1-only JIT
    @Override
    public boolean equals(Object o) {
        return o instanceof ServerEnd e && port == e.port && inbound == e.inbound && ip.equals(e.ip);
    }

    @Override
    public int hashCode() {
        return (ip.hashCode() * 31 + port) * 2 + (inbound ? 1 : 0);
    }
}

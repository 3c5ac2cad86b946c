package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.CompactSockets;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.IpText;

/**
 * Formats a network-order address as {@link dev.tcpfootgun.snapshot.Endpoint} wants it: dotted quad
 * for IPv4 and v4-mapped IPv6, RFC 5952 for other IPv6. Remembers the addresses it formatted (a
 * direct-mapped cache of {@value #SLOTS}), because a dump repeats a node's few local and remote
 * addresses across its sockets in hash order: one String per address, not per socket, whose hash
 * code the per-destination maps then compute once.
 */
final class AddressText {
    static final int SLOTS = 256;

    private final long[] his = new long[SLOTS];
    private final long[] los = new long[SLOTS];
    private final boolean[] v6s = new boolean[SLOTS];
    private final String[] texts = new String[SLOTS];
    /** Per slot, {@link Endpoint#loopback} of its text: decided once per address, not per socket. */
    private final boolean[] loopbacks = new boolean[SLOTS];
    /** Per slot, its address's id in the store {@link #id} adds to, or -1 before it is asked. */
    private final int[] ids = new int[SLOTS];
    /**
     * Endpoints made, direct-mapped by address slot and port: one end of most connections is shared (a
     * client's destination, a server's listening address), so those sockets share one Endpoint too.
     */
    private final Endpoint[] endpoints = new Endpoint[ENDPOINTS];
    /** Per entry, its endpoint's address text and port: a lookup compares these, not a cold Endpoint of a scrape ago. */
    private final String[] endpointTexts = new String[ENDPOINTS];
    private final int[] endpointPorts = new int[ENDPOINTS];
    static final int ENDPOINTS = 1024;

    /** The address at {@code off}: 4 bytes when {@code v6} is false, 16 when true. */
    String format(byte[] b, int off, boolean v6) {
        return texts[slot(b, off, v6)];
    }

    /** The endpoint of the address at {@code off} (as {@link #format}) and {@code port}. */
    Endpoint endpoint(byte[] b, int off, boolean v6, int port) {
        int slot = slot(b, off, v6);
        String text = texts[slot];
        int at = (int) ((slot * 0x10001L + port) * 0x9E3779B97F4A7C15L >>> 54);
        // the slot's String is made anew whenever the slot takes another address, so identity decides
        if (endpointTexts[at] != text || endpointPorts[at] != port) {
            endpoints[at] = new Endpoint(text, port, loopbacks[slot]);
            endpointTexts[at] = text;
            endpointPorts[at] = port;
        }
        return endpoints[at];
    }

    /**
     * The id in {@code into} of the address at {@code off}, remembered with its text: every call to one
     * AddressText must name the same store.
     */
    int id(byte[] b, int off, boolean v6, CompactSockets into) {
        int slot = slot(b, off, v6);
        int id = ids[slot];
        if (id < 0) {
            id = into.addressId(texts[slot]);
            ids[slot] = id;
        }
        return id;
    }

    private int slot(byte[] b, int off, boolean v6) {
        long hi = v6 ? HostBytes.be64(b, off) : 0;
        long lo = v6 ? HostBytes.be64(b, off + 8) : Integer.toUnsignedLong(HostBytes.be32(b, off));
        int slot = (int) ((hi * 31 + lo) * 0x9E3779B97F4A7C15L >>> 56);
        if (texts[slot] != null && v6s[slot] == v6 && his[slot] == hi && los[slot] == lo) {
            return slot;
        }
        his[slot] = hi;
        los[slot] = lo;
        v6s[slot] = v6;
        texts[slot] = v6 ? IpText.ipv6(hi, lo) : IpText.ipv4((int) lo);
        loopbacks[slot] = Endpoint.loopback(texts[slot]);
        ids[slot] = -1;
        return slot;
    }
}

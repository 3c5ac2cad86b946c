package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.IpText;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes the "ADDR:PORT" hex endpoints of /proc/net/tcp{,6}. The kernel prints each network-order
 * 32-bit word of the address as a host-order %08X, so on little-endian machines the bytes appear
 * reversed. One instance per file: it reuses the text of addresses already seen, since thousands of
 * sockets share a few addresses; at most {@link #REMEMBERED} of them, so a file of distinct addresses
 * costs no more memory here than a file of few.
 */
final class HexEndpoints {
    static final int REMEMBERED = 4096;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final Family family;
    /** Each address as an endpoint on port 0: its text, and whether it is loopback, made once per address. */
    private final Map<Integer, Endpoint> ipv4Text = new HashMap<>();
    private final Map<Ipv6Words, Endpoint> ipv6Text = new HashMap<>();

    private record Ipv6Words(long high, long low) {}

    HexEndpoints(Family family) {
        this.family = family;
    }

    Endpoint endpoint(FieldCursor f, int field) {
        int colon = f.find(field, ':');
        int start = f.start(field);
        int portDigits = f.end(field) - colon - 1;
        if (portDigits < 1 || portDigits > 4) {
            throw new NumberFormatException("bad port in \"" + f.field(field) + "\"");
        }
        int port = (int) f.hex(colon + 1, f.end(field));
        int hexDigits = colon - start;
        if (family == Family.INET) {
            if (hexDigits != 8) {
                throw new NumberFormatException("IPv4 address is not 8 hex digits: \"" + f.field(field) + "\"");
            }
            int word = (int) f.hex(start, colon);
            if (ipv4Text.size() == REMEMBERED) {
                ipv4Text.clear();
            }
            return at(ipv4Text.computeIfAbsent(word, w -> new Endpoint(IpText.ipv4(networkOrder(w)), 0)), port);
        }
        if (hexDigits != 32) {
            throw new NumberFormatException("IPv6 address is not 32 hex digits: \"" + f.field(field) + "\"");
        }
        long high = f.hex(start, start + 16);
        long low = f.hex(start + 16, colon);
        if (ipv6Text.size() == REMEMBERED) {
            ipv6Text.clear();
        }
        return at(ipv6Text.computeIfAbsent(new Ipv6Words(high, low), w -> new Endpoint(ipv6(w), 0)), port);
    }

    private static Endpoint at(Endpoint address, int port) {
        return new Endpoint(address.ip(), port, address.isLoopback());
    }

    /** The word's four bytes in network order, as one big-endian int. */
    private static int networkOrder(int printedWord) {
        return LITTLE_ENDIAN ? Integer.reverseBytes(printedWord) : printedWord;
    }

    private static String ipv6(Ipv6Words w) {
        long high = (long) networkOrder((int) (w.high >>> 32)) << 32 | Integer.toUnsignedLong(networkOrder((int) w.high));
        long low = (long) networkOrder((int) (w.low >>> 32)) << 32 | Integer.toUnsignedLong(networkOrder((int) w.low));
        return IpText.ipv6(high, low);
    }
}

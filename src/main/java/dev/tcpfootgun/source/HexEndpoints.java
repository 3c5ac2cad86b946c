package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes the "ADDR:PORT" hex endpoints of /proc/net/tcp{,6}. The kernel prints each network-order
 * 32-bit word of the address as a host-order %08X, so on little-endian machines the bytes appear
 * reversed. One instance per file: it reuses the text of addresses already seen, since thousands of
 * sockets share a few addresses.
 */
final class HexEndpoints {
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final Family family;
    private final Map<Integer, String> ipv4Text = new HashMap<>();
    private final Map<Ipv6Words, String> ipv6Text = new HashMap<>();

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
            return new Endpoint(ipv4Text.computeIfAbsent(word, w -> ipv4(networkOrder(w))), port);
        }
        if (hexDigits != 32) {
            throw new NumberFormatException("IPv6 address is not 32 hex digits: \"" + f.field(field) + "\"");
        }
        long high = f.hex(start, start + 16);
        long low = f.hex(start + 16, colon);
        return new Endpoint(ipv6Text.computeIfAbsent(new Ipv6Words(high, low), HexEndpoints::ipv6), port);
    }

    /** The word's four bytes in network order, as one big-endian int. */
    private static int networkOrder(int printedWord) {
        return LITTLE_ENDIAN ? Integer.reverseBytes(printedWord) : printedWord;
    }

    /** Dotted quad of a big-endian IPv4 address. */
    static String ipv4(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    private static String ipv6(Ipv6Words w) {
        int[] words = {
            networkOrder((int) (w.high >>> 32)), networkOrder((int) w.high),
            networkOrder((int) (w.low >>> 32)), networkOrder((int) w.low)
        };
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[2 * i] = words[i] >>> 16;
            groups[2 * i + 1] = words[i] & 0xffff;
        }
        return ipv6(groups);
    }

    /** RFC 5952 text of eight 16-bit groups; v4-mapped addresses as dotted IPv4 (Endpoint's rule). */
    static String ipv6(int[] groups) {
        if (groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
                && groups[5] == 0xffff) {
            return ipv4(groups[6] << 16 | groups[7]);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened (RFC 5952 4.2.2)
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) { // strictly longer: the first of equal runs wins (4.2.3)
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }
}

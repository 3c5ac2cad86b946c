package dev.tcpfootgun.source.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Formats a network-order address as {@link dev.tcpfootgun.snapshot.Endpoint} wants it: dotted quad
 * for IPv4 and v4-mapped IPv6, RFC 5952 for other IPv6. Remembers the last address it formatted,
 * because a dump repeats the same local (and often remote) address socket after socket.
 */
final class AddressText {
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private boolean cached;
    private boolean cachedV6;
    private long cachedHi;
    private long cachedLo;
    private String cachedText;

    /** The address at {@code off}: 4 bytes when {@code v6} is false, 16 when true. */
    String format(MemorySegment s, long off, boolean v6) {
        long hi = v6 ? s.get(BE64, off) : 0;
        long lo = v6 ? s.get(BE64, off + 8) : Integer.toUnsignedLong(s.get(BE32, off));
        if (cached && cachedV6 == v6 && cachedHi == hi && cachedLo == lo) {
            return cachedText;
        }
        String text = v6 ? ipv6(hi, lo) : ipv4((int) lo);
        cached = true;
        cachedV6 = v6;
        cachedHi = hi;
        cachedLo = lo;
        cachedText = text;
        return text;
    }

    static String ipv4(int a) {
        return new StringBuilder(15)
                .append(a >>> 24).append('.')
                .append((a >>> 16) & 0xff).append('.')
                .append((a >>> 8) & 0xff).append('.')
                .append(a & 0xff)
                .toString();
    }

    /** RFC 5952: lowercase, no leading zeros, the longest run (first on a tie) of 2+ zero groups as "::". */
    static String ipv6(long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return ipv4((int) lo);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(groups[i]));
        }
        return b.toString();
    }
}

package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.IpText;
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
        String text = v6 ? IpText.ipv6(hi, lo) : IpText.ipv4((int) lo);
        cached = true;
        cachedV6 = v6;
        cachedHi = hi;
        cachedLo = lo;
        cachedText = text;
        return text;
    }
}

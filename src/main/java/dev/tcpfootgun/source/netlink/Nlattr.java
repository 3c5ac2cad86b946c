package dev.tcpfootgun.source.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads netlink attributes (struct nlattr / rtattr: u16 len incl. the 4-byte header, u16 type) in
 * place by offset, so walking thousands of them allocates nothing.
 */
final class Nlattr {
    static final int HEADER = 4;
    /** NLA_F_NESTED | NLA_F_NET_BYTEORDER are flags on the type, not part of it. */
    static final int TYPE_MASK = 0x3fff;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Nlattr() {}

    /** Total length of the attribute at {@code off}, header included; below 4 means malformed. */
    static int length(MemorySegment s, long off) {
        return Short.toUnsignedInt(s.get(U16, off));
    }

    static int type(MemorySegment s, long off) {
        return Short.toUnsignedInt(s.get(U16, off + 2)) & TYPE_MASK;
    }

    static int align(int len) {
        return (len + 3) & ~3;
    }

    static long u32(MemorySegment s, long off) {
        return Integer.toUnsignedLong(s.get(U32, off));
    }

    static long be32(MemorySegment s, long off) {
        return Integer.toUnsignedLong(s.get(BE32, off));
    }

    /** A NUL-terminated (or unterminated) ASCII string payload. */
    static String string(MemorySegment s, long off, int len) {
        int n = 0;
        while (n < len && s.get(ValueLayout.JAVA_BYTE, off + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, bytes, 0, n);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}

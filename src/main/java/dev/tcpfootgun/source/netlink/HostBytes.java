package dev.tcpfootgun.source.netlink;

import java.nio.ByteOrder;

/**
 * Reads integers from a heap copy of netlink messages: host order (as the kernel writes struct
 * fields) or network order (addresses, ports). Plain array reads, because each MemorySegment read
 * is a chain of calls under the C1-only JIT the image runs, and a dump has millions of them.
 */
final class HostBytes {
    private static final boolean BIG = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;

    private HostBytes() {}

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        int le = (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
        return BIG ? Short.toUnsignedInt(Short.reverseBytes((short) le)) : le;
    }

    static long u32(byte[] b, int at) {
        return Integer.toUnsignedLong(s32(b, at));
    }

    static int s32(byte[] b, int at) {
        int le = le32(b, at);
        return BIG ? Integer.reverseBytes(le) : le;
    }

    static long s64(byte[] b, int at) {
        long le = Integer.toUnsignedLong(le32(b, at)) | (long) le32(b, at + 4) << 32;
        return BIG ? Long.reverseBytes(le) : le;
    }

    static int be16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static int be32(byte[] b, int at) {
        return b[at] << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static long be64(byte[] b, int at) {
        return (long) be32(b, at) << 32 | Integer.toUnsignedLong(be32(b, at + 4));
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | b[at + 3] << 24;
    }
}

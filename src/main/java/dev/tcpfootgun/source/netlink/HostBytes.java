package dev.tcpfootgun.source.netlink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads integers from a heap copy of netlink messages: host order (as the kernel writes struct
 * fields) or network order (addresses, ports). Array reads, because each MemorySegment read is a
 * chain of calls under the C1-only JIT the image runs, and a dump has millions of them; each field
 * one access through a constant byte-array view, not two to eight byte loads shifted together.
 */
final class HostBytes {
    private static final VarHandle HOST16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.nativeOrder());
    private static final VarHandle HOST32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle HOST64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** Network order is a host read byte-swapped: C1 compiles reverseBytes to one instruction, a big-endian view's swap to a call. */
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private HostBytes() {}

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int u16(byte[] b, int at) {
        return Short.toUnsignedInt((short) HOST16.get(b, at));
    }

    static long u32(byte[] b, int at) {
        return Integer.toUnsignedLong((int) HOST32.get(b, at));
    }

    static int s32(byte[] b, int at) {
        return (int) HOST32.get(b, at);
    }

    static long s64(byte[] b, int at) {
        return (long) HOST64.get(b, at);
    }

    static int be16(byte[] b, int at) {
        short v = (short) HOST16.get(b, at);
        return Short.toUnsignedInt(LITTLE ? Short.reverseBytes(v) : v);
    }

    static int be32(byte[] b, int at) {
        int v = (int) HOST32.get(b, at);
        return LITTLE ? Integer.reverseBytes(v) : v;
    }

    static long be64(byte[] b, int at) {
        long v = (long) HOST64.get(b, at);
        return LITTLE ? Long.reverseBytes(v) : v;
    }
}

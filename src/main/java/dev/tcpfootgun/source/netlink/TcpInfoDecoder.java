package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.TcpInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes struct tcp_info (include/uapi/linux/tcp.h, x86_64 offsets) from an INET_DIAG_INFO
 * payload. The payload length is the sending kernel's sizeof(struct tcp_info), so a field is read
 * only when it ends within that length; later fields are -1.
 */
final class TcpInfoDecoder {
    private TcpInfoDecoder() {}

    static TcpInfo decode(MemorySegment s, long base, int len) {
        Fields f = new Fields(s, base, len);
        int bits6 = f.u8(6);
        int bits7 = f.u8(7);
        return new TcpInfo(
                len,
                f.u8(0), f.u8(1), f.u8(2), f.u8(3), f.u8(4), f.u8(5),
                bits6 < 0 ? -1 : bits6 & 0x0f, // snd_wscale:4 is the low nibble
                bits6 < 0 ? -1 : bits6 >>> 4, // rcv_wscale:4 the high one
                bits7 > 0 && (bits7 & 1) != 0, // delivery_rate_app_limited:1 is bit 0
                f.u32(8), f.u32(12), f.u32(16), f.u32(20),
                f.u32(24), f.u32(28), f.u32(32), f.u32(36), f.u32(40),
                f.u32(44), f.u32(52), f.u32(56), // last_ack_sent at 48 is always 0
                f.u32(60), f.u32(64), f.u32(68), f.u32(72), f.u32(76), f.u32(80), f.u32(84),
                f.u32(88), f.u32(92), f.u32(96), f.u32(100),
                f.u64(104), f.u64(112),
                f.u64(120), f.u64(128),
                f.u32(136), f.u32(140),
                f.u32(144), f.u32(148), f.u32(152), f.u32(156),
                f.u64(160),
                f.u64(168), f.u64(176), f.u64(184),
                f.u32(192), f.u32(196),
                f.u64(200), f.u64(208), f.u32(216), f.u32(220),
                f.u32(224), f.u32(228),
                f.u32(232), f.u32(236),
                f.u16(240), f.u16(242), f.u32(244));
    }

    /** Reads fields bounded by the payload length; a field not wholly inside it reads -1. */
    private record Fields(MemorySegment s, long base, int len) {
        int u8(int off) {
            return off + 1 <= len ? Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, base + off)) : -1;
        }

        long u16(int off) {
            return off + 2 <= len ? Short.toUnsignedInt(s.get(Nlattr.U16, base + off)) : -1;
        }

        long u32(int off) {
            return off + 4 <= len ? Integer.toUnsignedLong(s.get(Nlattr.U32, base + off)) : -1;
        }

        /** A u64 such as pacing_rate's "unlimited" 2^64-1 also reads -1; covers() tells them apart. */
        long u64(int off) {
            return off + 8 <= len ? s.get(Nlattr.U64, base + off) : -1;
        }
    }
}

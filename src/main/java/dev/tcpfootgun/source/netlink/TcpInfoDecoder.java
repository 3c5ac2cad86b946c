package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.TcpInfo;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Decodes the fields {@link TcpInfo} keeps of struct tcp_info (include/uapi/linux/tcp.h, x86_64
 * offsets) from an INET_DIAG_INFO payload. The payload length is the sending kernel's
 * sizeof(struct tcp_info), so a field is read only when it ends within that length; later fields are -1.
 */
final class TcpInfoDecoder {
    private TcpInfoDecoder() {}

    /** A payload in native memory, copied to the heap first (tests, replays). */
    static TcpInfo decode(MemorySegment s, long base, int len) {
        byte[] b = new byte[Math.max(0, len)];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, base, b, 0, b.length);
        return decode(b, 0, len);
    }

    /** The payload at {@code at} of {@code b}, {@code len} bytes. */
    static TcpInfo decode(byte[] b, int at, int len) {
        int[] ints = new int[TcpInfo.INTS];
        long[] longs = new long[TcpInfo.LONGS];
        decode(b, at, len, ints, longs, 0);
        return TcpInfo.view(ints, longs, 0);
    }

    /** The payload into the next socket's row of the detailed store, which then has tcp_info. */
    static void decode(byte[] b, int at, int len, DetailedSockets into, int socket) {
        decode(b, at, len, into.infoInts(), into.infoLongs(), into.info(socket));
    }

    /** The payload into row {@code row} of tcp_info columns ({@link TcpInfo#store}). */
    private static void decode(byte[] b, int at, int len, int[] ints, long[] longs, int row) {
        TcpInfo.store(ints, longs, row,
                len,
                u8(b, at, len, 2), u8(b, at, len, 4), // retransmits, backoff
                u32(b, at, len, 16), u32(b, at, len, 24), // snd_mss, unacked
                u32(b, at, len, 60), // pmtu
                u32(b, at, len, 68), u32(b, at, len, 72), // rtt, rttvar
                u32(b, at, len, 80), u32(b, at, len, 84), // snd_cwnd, advmss
                u32(b, at, len, 96), u32(b, at, len, 100), // rcv_space, total_retrans
                u64(b, at, len, 120), // bytes_acked
                u32(b, at, len, 136), // segs_out
                u32(b, at, len, 144), u32(b, at, len, 148), u32(b, at, len, 156), // notsent_bytes, min_rtt, data_segs_out
                u64(b, at, len, 160), // delivery_rate
                u64(b, at, len, 168), u64(b, at, len, 176), u64(b, at, len, 184), // busy, rwnd_limited, sndbuf_limited
                u64(b, at, len, 200), u64(b, at, len, 208), // bytes_sent, bytes_retrans
                u32(b, at, len, 228)); // snd_wnd
    }

    private static int u8(byte[] b, int at, int len, int off) {
        return off + 1 <= len ? HostBytes.u8(b, at + off) : -1;
    }

    /** The field's 32 bits (TcpInfo reads them back unsigned), or -1 when the payload ends before it. */
    private static int u32(byte[] b, int at, int len, int off) {
        return off + 4 <= len ? HostBytes.s32(b, at + off) : -1;
    }

    /** A u64 such as a rate's "unlimited" 2^64-1 also reads -1; covers() tells them apart. */
    private static long u64(byte[] b, int at, int len, int off) {
        return off + 8 <= len ? HostBytes.s64(b, at + off) : -1;
    }
}

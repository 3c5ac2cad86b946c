package dev.tcpfootgun.snapshot;

/**
 * The fields of struct tcp_info (include/uapi/linux/tcp.h) that a check or a metric reads, as far
 * as the running kernel sent them; the struct's other fields are not decoded (a detailed connection
 * is held for the whole scrape, and the detail limit is set by what each one costs).
 *
 * <p>The kernel zero-fills the struct and sends exactly its own sizeof, so a field is present
 * exactly when it ends within {@link #size()}; fields past it are -1 here (absent, not zero). Times
 * are microseconds, rates bytes per second. Components are in the struct's order.
 */
public record TcpInfo(
        int size,
        int retransmits,
        int backoff,
        long sndMss,
        long unacked,
        long pmtu,
        long rttMicros,
        long rttVarMicros,
        long sndCwnd,
        long advMss,
        long rcvSpace,
        long totalRetrans,
        // 4.1+
        long bytesAcked,
        // 4.2+
        long segsOut,
        // 4.6+
        long notsentBytes,
        long minRttMicros,
        long dataSegsOut,
        // 4.9+
        long deliveryRate,
        // 4.10+
        long busyTimeMicros,
        long rwndLimitedMicros,
        long sndbufLimitedMicros,
        // 4.19+
        long bytesSent,
        long bytesRetrans,
        // 5.4+
        long sndWnd) {

    /** Sizes of struct tcp_info across kernels; each adds fields to the one before. */
    public static final int SIZE_BASE = 104;
    public static final int SIZE_4_6 = 160;
    public static final int SIZE_4_9 = 168;
    public static final int SIZE_4_10 = 192;
    public static final int SIZE_4_19 = 224;
    public static final int SIZE_5_4 = 232;

    /** tcpi_min_rtt before the first RTT sample. */
    public static final long MIN_RTT_UNSET = 0xFFFFFFFFL;

    /** True when the field that ends at {@code endOffset} was sent by the kernel. */
    public boolean covers(int endOffset) {
        return size >= endOffset;
    }

    public boolean hasMinRtt() {
        return covers(152) && minRttMicros != MIN_RTT_UNSET;
    }

    public boolean hasLimitedTimes() {
        return covers(SIZE_4_10);
    }

    public boolean hasSndWnd() {
        return covers(SIZE_5_4);
    }
}

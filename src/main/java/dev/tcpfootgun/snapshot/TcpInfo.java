package dev.tcpfootgun.snapshot;

/**
 * struct tcp_info (include/uapi/linux/tcp.h) as far as the running kernel sent it.
 *
 * <p>The kernel zero-fills the struct and sends exactly its own sizeof, so a field is present
 * exactly when it ends within {@link #size()}; fields past it are -1 here (absent, not zero). Times
 * are microseconds unless a name says otherwise, rates bytes per second.
 */
public record TcpInfo(
        int size,
        int state,
        int caState,
        int retransmits,
        int probes,
        int backoff,
        int options,
        int sndWscale,
        int rcvWscale,
        boolean deliveryRateAppLimited,
        long rtoMicros,
        long atoMicros,
        long sndMss,
        long rcvMss,
        long unacked,
        long sacked,
        long lost,
        long retrans,
        long fackets,
        long lastDataSentMillis,
        long lastDataRecvMillis,
        long lastAckRecvMillis,
        long pmtu,
        long rcvSsthresh,
        long rttMicros,
        long rttVarMicros,
        long sndSsthresh,
        long sndCwnd,
        long advMss,
        long reordering,
        long rcvRttMicros,
        long rcvSpace,
        long totalRetrans,
        // 3.15+
        long pacingRate,
        long maxPacingRate,
        // 4.1+
        long bytesAcked,
        long bytesReceived,
        // 4.2+
        long segsOut,
        long segsIn,
        // 4.6+
        long notsentBytes,
        long minRttMicros,
        long dataSegsIn,
        long dataSegsOut,
        // 4.9+
        long deliveryRate,
        // 4.10+
        long busyTimeMicros,
        long rwndLimitedMicros,
        long sndbufLimitedMicros,
        // 4.18+
        long delivered,
        long deliveredCe,
        // 4.19+
        long bytesSent,
        long bytesRetrans,
        long dsackDups,
        long reordSeen,
        // 5.4+
        long rcvOoopack,
        long sndWnd,
        // 6.2+
        long rcvWnd,
        long rehash,
        // 6.7+
        long totalRto,
        long totalRtoRecoveries,
        long totalRtoTimeMillis) {

    /** Sizes of struct tcp_info across kernels; each adds fields to the one before. */
    public static final int SIZE_BASE = 104;
    public static final int SIZE_4_6 = 160;
    public static final int SIZE_4_9 = 168;
    public static final int SIZE_4_10 = 192;
    public static final int SIZE_5_4 = 232;

    /** tcpi_min_rtt before the first RTT sample. */
    public static final long MIN_RTT_UNSET = 0xFFFFFFFFL;

    public static final int OPT_TIMESTAMPS = 1;
    public static final int OPT_SACK = 2;
    public static final int OPT_WSCALE = 4;
    public static final int OPT_ECN = 8;

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

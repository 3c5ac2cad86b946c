package dev.tcpfootgun.snapshot;

import java.util.Objects;

/**
 * The fields of struct tcp_info (include/uapi/linux/tcp.h) that a check or a metric reads, as far
 * as the running kernel sent them; the struct's other fields are not decoded (a detailed connection
 * is held for the whole scrape, and the detail limit is set by what each one costs).
 *
 * <p>The kernel zero-fills the struct and sends exactly its own sizeof, so a field is present
 * exactly when it ends within {@link #size()}; fields past it are -1 here (absent, not zero). Times
 * are microseconds, rates bytes per second. Accessors are in the struct's order.
 *
 * <p>A value class, not a record: the kernel's u32 fields are held in ints and read back unsigned, so
 * a connection's tcp_info is 144 bytes on the heap instead of 200 (at 100,000 sockets every detailed
 * connection lives through the scrape's young collections, and the GC copies what it holds).
 */
public final class TcpInfo {
    /** Sizes of struct tcp_info across kernels; each adds fields to the one before. */
    public static final int SIZE_BASE = 104;
    public static final int SIZE_4_6 = 160;
    public static final int SIZE_4_9 = 168;
    public static final int SIZE_4_10 = 192;
    public static final int SIZE_4_19 = 224;
    public static final int SIZE_5_4 = 232;

    /** tcpi_min_rtt before the first RTT sample. */
    public static final long MIN_RTT_UNSET = 0xFFFFFFFFL;

    private final int size;
    private final int retransmits;
    private final int backoff;
    private final int sndMss;
    private final int unacked;
    private final int pmtu;
    private final int rttMicros;
    private final int rttVarMicros;
    private final int sndCwnd;
    private final int advMss;
    private final int rcvSpace;
    private final int totalRetrans;
    private final long bytesAcked;
    private final int segsOut;
    private final int notsentBytes;
    private final int minRttMicros;
    private final int dataSegsOut;
    private final long deliveryRate;
    private final long busyTimeMicros;
    private final long rwndLimitedMicros;
    private final long sndbufLimitedMicros;
    private final long bytesSent;
    private final long bytesRetrans;
    private final int sndWnd;

    /**
     * Every value as the accessors return it; a field the size covers must fit its width (a u32 in
     * [0, 2^32)), one past the size is ignored and reads -1.
     */
    public TcpInfo(
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
            long bytesAcked,
            long segsOut,
            long notsentBytes,
            long minRttMicros,
            long dataSegsOut,
            long deliveryRate,
            long busyTimeMicros,
            long rwndLimitedMicros,
            long sndbufLimitedMicros,
            long bytesSent,
            long bytesRetrans,
            long sndWnd) {
        // checked here, stored by the one constructor that assigns the fields
        this(size,
                (int) check("retransmits", retransmits, 3, 0xFFL, size),
                (int) check("backoff", backoff, 5, 0xFFL, size),
                (int) check("sndMss", sndMss, 20, 0xFFFFFFFFL, size),
                (int) check("unacked", unacked, 28, 0xFFFFFFFFL, size),
                (int) check("pmtu", pmtu, 64, 0xFFFFFFFFL, size),
                (int) check("rttMicros", rttMicros, 72, 0xFFFFFFFFL, size),
                (int) check("rttVarMicros", rttVarMicros, 76, 0xFFFFFFFFL, size),
                (int) check("sndCwnd", sndCwnd, 84, 0xFFFFFFFFL, size),
                (int) check("advMss", advMss, 88, 0xFFFFFFFFL, size),
                (int) check("rcvSpace", rcvSpace, 100, 0xFFFFFFFFL, size),
                (int) check("totalRetrans", totalRetrans, 104, 0xFFFFFFFFL, size),
                size >= 128 ? bytesAcked : -1,
                (int) check("segsOut", segsOut, 140, 0xFFFFFFFFL, size),
                (int) check("notsentBytes", notsentBytes, 148, 0xFFFFFFFFL, size),
                (int) check("minRttMicros", minRttMicros, 152, 0xFFFFFFFFL, size),
                (int) check("dataSegsOut", dataSegsOut, 160, 0xFFFFFFFFL, size),
                size >= 168 ? deliveryRate : -1,
                size >= 176 ? busyTimeMicros : -1,
                size >= 184 ? rwndLimitedMicros : -1,
                size >= 192 ? sndbufLimitedMicros : -1,
                size >= 208 ? bytesSent : -1,
                size >= 216 ? bytesRetrans : -1,
                (int) check("sndWnd", sndWnd, 232, 0xFFFFFFFFL, size));
    }

    /**
     * What the decoder read, unchecked: each u32 field as the kernel's 32 bits (every int is one), each
     * field past {@code size} -1, as the checked constructor stores them. A 100k scrape makes 10,000 of
     * these, and under C1 the checked constructor's 23 checks are 23 calls.
     */
    public static TcpInfo fromKernel(
            int size,
            int retransmits,
            int backoff,
            int sndMss,
            int unacked,
            int pmtu,
            int rttMicros,
            int rttVarMicros,
            int sndCwnd,
            int advMss,
            int rcvSpace,
            int totalRetrans,
            long bytesAcked,
            int segsOut,
            int notsentBytes,
            int minRttMicros,
            int dataSegsOut,
            long deliveryRate,
            long busyTimeMicros,
            long rwndLimitedMicros,
            long sndbufLimitedMicros,
            long bytesSent,
            long bytesRetrans,
            int sndWnd) {
        return new TcpInfo(size, retransmits, backoff, sndMss, unacked, pmtu, rttMicros, rttVarMicros, sndCwnd, advMss, rcvSpace, totalRetrans, bytesAcked, segsOut, notsentBytes, minRttMicros, dataSegsOut, deliveryRate, busyTimeMicros, rwndLimitedMicros, sndbufLimitedMicros, bytesSent, bytesRetrans, sndWnd);
    }

    private TcpInfo(
            int size,
            int retransmits,
            int backoff,
            int sndMss,
            int unacked,
            int pmtu,
            int rttMicros,
            int rttVarMicros,
            int sndCwnd,
            int advMss,
            int rcvSpace,
            int totalRetrans,
            long bytesAcked,
            int segsOut,
            int notsentBytes,
            int minRttMicros,
            int dataSegsOut,
            long deliveryRate,
            long busyTimeMicros,
            long rwndLimitedMicros,
            long sndbufLimitedMicros,
            long bytesSent,
            long bytesRetrans,
            int sndWnd) {
        this.size = size;
        this.retransmits = retransmits;
        this.backoff = backoff;
        this.sndMss = sndMss;
        this.unacked = unacked;
        this.pmtu = pmtu;
        this.rttMicros = rttMicros;
        this.rttVarMicros = rttVarMicros;
        this.sndCwnd = sndCwnd;
        this.advMss = advMss;
        this.rcvSpace = rcvSpace;
        this.totalRetrans = totalRetrans;
        this.bytesAcked = bytesAcked;
        this.segsOut = segsOut;
        this.notsentBytes = notsentBytes;
        this.minRttMicros = minRttMicros;
        this.dataSegsOut = dataSegsOut;
        this.deliveryRate = deliveryRate;
        this.busyTimeMicros = busyTimeMicros;
        this.rwndLimitedMicros = rwndLimitedMicros;
        this.sndbufLimitedMicros = sndbufLimitedMicros;
        this.bytesSent = bytesSent;
        this.bytesRetrans = bytesRetrans;
        this.sndWnd = sndWnd;
    }

    /** A covered field's value, checked against its width; -1 for one the size does not cover. */
    private static long check(String name, long value, int end, long max, int size) {
        if (size < end) {
            return -1;
        }
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " " + value + " does not fit its field");
        }
        return value;
    }

    public int size() {
        return size;
    }

    public int retransmits() {
        return retransmits;
    }

    public int backoff() {
        return backoff;
    }

    public long sndMss() {
        return size >= 20 ? Integer.toUnsignedLong(sndMss) : -1;
    }

    public long unacked() {
        return size >= 28 ? Integer.toUnsignedLong(unacked) : -1;
    }

    public long pmtu() {
        return size >= 64 ? Integer.toUnsignedLong(pmtu) : -1;
    }

    public long rttMicros() {
        return size >= 72 ? Integer.toUnsignedLong(rttMicros) : -1;
    }

    public long rttVarMicros() {
        return size >= 76 ? Integer.toUnsignedLong(rttVarMicros) : -1;
    }

    public long sndCwnd() {
        return size >= 84 ? Integer.toUnsignedLong(sndCwnd) : -1;
    }

    public long advMss() {
        return size >= 88 ? Integer.toUnsignedLong(advMss) : -1;
    }

    public long rcvSpace() {
        return size >= 100 ? Integer.toUnsignedLong(rcvSpace) : -1;
    }

    public long totalRetrans() {
        return size >= 104 ? Integer.toUnsignedLong(totalRetrans) : -1;
    }

    public long bytesAcked() {
        return bytesAcked;
    }

    public long segsOut() {
        return size >= 140 ? Integer.toUnsignedLong(segsOut) : -1;
    }

    public long notsentBytes() {
        return size >= 148 ? Integer.toUnsignedLong(notsentBytes) : -1;
    }

    public long minRttMicros() {
        return size >= 152 ? Integer.toUnsignedLong(minRttMicros) : -1;
    }

    public long dataSegsOut() {
        return size >= 160 ? Integer.toUnsignedLong(dataSegsOut) : -1;
    }

    public long deliveryRate() {
        return deliveryRate;
    }

    public long busyTimeMicros() {
        return busyTimeMicros;
    }

    public long rwndLimitedMicros() {
        return rwndLimitedMicros;
    }

    public long sndbufLimitedMicros() {
        return sndbufLimitedMicros;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesRetrans() {
        return bytesRetrans;
    }

    public long sndWnd() {
        return size >= 232 ? Integer.toUnsignedLong(sndWnd) : -1;
    }

    /** True when the field that ends at {@code endOffset} was sent by the kernel. */
    public boolean covers(int endOffset) {
        return size >= endOffset;
    }

    public boolean hasMinRtt() {
        return covers(152) && minRttMicros() != MIN_RTT_UNSET;
    }

    public boolean hasLimitedTimes() {
        return covers(SIZE_4_10);
    }

    public boolean hasSndWnd() {
        return covers(SIZE_5_4);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TcpInfo t && size == t.size && retransmits == t.retransmits && backoff == t.backoff && sndMss == t.sndMss && unacked == t.unacked && pmtu == t.pmtu && rttMicros == t.rttMicros && rttVarMicros == t.rttVarMicros && sndCwnd == t.sndCwnd && advMss == t.advMss && rcvSpace == t.rcvSpace && totalRetrans == t.totalRetrans && bytesAcked == t.bytesAcked && segsOut == t.segsOut && notsentBytes == t.notsentBytes && minRttMicros == t.minRttMicros && dataSegsOut == t.dataSegsOut && deliveryRate == t.deliveryRate && busyTimeMicros == t.busyTimeMicros && rwndLimitedMicros == t.rwndLimitedMicros && sndbufLimitedMicros == t.sndbufLimitedMicros && bytesSent == t.bytesSent && bytesRetrans == t.bytesRetrans && sndWnd == t.sndWnd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, retransmits, backoff, sndMss, unacked, pmtu, rttMicros, rttVarMicros, sndCwnd, advMss, rcvSpace, totalRetrans, bytesAcked, segsOut, notsentBytes, minRttMicros, dataSegsOut, deliveryRate, busyTimeMicros, rwndLimitedMicros, sndbufLimitedMicros, bytesSent, bytesRetrans, sndWnd);
    }

    @Override
    public String toString() {
        return "TcpInfo[size=" + size + ", "
                + "retransmits=" + retransmits() + ", "
                + "backoff=" + backoff() + ", "
                + "sndMss=" + sndMss() + ", "
                + "unacked=" + unacked() + ", "
                + "pmtu=" + pmtu() + ", "
                + "rttMicros=" + rttMicros() + ", "
                + "rttVarMicros=" + rttVarMicros() + ", "
                + "sndCwnd=" + sndCwnd() + ", "
                + "advMss=" + advMss() + ", "
                + "rcvSpace=" + rcvSpace() + ", "
                + "totalRetrans=" + totalRetrans() + ", "
                + "bytesAcked=" + bytesAcked() + ", "
                + "segsOut=" + segsOut() + ", "
                + "notsentBytes=" + notsentBytes() + ", "
                + "minRttMicros=" + minRttMicros() + ", "
                + "dataSegsOut=" + dataSegsOut() + ", "
                + "deliveryRate=" + deliveryRate() + ", "
                + "busyTimeMicros=" + busyTimeMicros() + ", "
                + "rwndLimitedMicros=" + rwndLimitedMicros() + ", "
                + "sndbufLimitedMicros=" + sndbufLimitedMicros() + ", "
                + "bytesSent=" + bytesSent() + ", "
                + "bytesRetrans=" + bytesRetrans() + ", "
                + "sndWnd=" + sndWnd() + "]";
    }
}

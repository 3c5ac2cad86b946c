package dev.tcpfootgun.snapshot;

import java.util.Arrays;

/**
 * The fields of struct tcp_info (include/uapi/linux/tcp.h) that a check or a metric reads, as far
 * as the running kernel sent them; the struct's other fields are not decoded (a detailed connection
 * is held for the whole scrape, and the detail limit is set by what each one costs).
 *
 * <p>The kernel zero-fills the struct and sends exactly its own sizeof, so a field is present
 * exactly when it ends within {@link #size()}; fields past it are -1 here (absent, not zero). Times
 * are microseconds, rates bytes per second. Accessors are in the struct's order.
 *
 * <p>One row of int and long columns, not a record: the kernel's u32 fields are held as their 32 bits
 * and read back unsigned. The decoder writes a connection's fields straight into the columns of
 * {@link DetailedSockets} with {@link #store} (at 100,000 sockets every detailed connection lives through
 * the scrape's young collections, and the GC copies what it holds: two arrays instead of an object a
 * connection); a TcpInfo object is made only for the few connections a finding names, with one-row arrays
 * of its own, or by {@link #view} over a row of columns that do not change while it is read.
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

    // A row of the int fields: the size, then each u32 (and the two u8s) as the kernel's bits, in the struct's order.
    static final int SIZE = 0;
    static final int RETRANSMITS = 1;
    static final int BACKOFF = 2;
    static final int SND_MSS = 3;
    static final int UNACKED = 4;
    static final int PMTU = 5;
    static final int RTT = 6;
    static final int RTTVAR = 7;
    static final int SND_CWND = 8;
    static final int ADVMSS = 9;
    static final int RCV_SPACE = 10;
    static final int TOTAL_RETRANS = 11;
    static final int SEGS_OUT = 12;
    static final int NOTSENT_BYTES = 13;
    static final int MIN_RTT = 14;
    static final int DATA_SEGS_OUT = 15;
    static final int SND_WND = 16;
    /** Ints a row. */
    public static final int INTS = 17;
    // A row of the u64 fields, -1 past the size.
    static final int BYTES_ACKED = 0;
    static final int DELIVERY_RATE = 1;
    static final int BUSY_TIME = 2;
    static final int RWND_LIMITED = 3;
    static final int SNDBUF_LIMITED = 4;
    static final int BYTES_SENT = 5;
    static final int BYTES_RETRANS = 6;
    /** Longs a row. */
    public static final int LONGS = 7;

    /** Where the fields are: this object's own one-row arrays, or for a {@link #view} a row of columns. */
    private final int[] ints;
    private final long[] longs;
    private final int row;

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
        // checked here, stored as the kernel's bits, as the decoder stores them
        this(new int[INTS], new long[LONGS], 0);
        store(ints, longs, 0, size,
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
     * The fields of row {@code row} of these columns ({@link #INTS} and {@link #LONGS} a row, as {@link #store}
     * writes them), shared, not copied: the columns must not change while the view is read.
     */
    public static TcpInfo view(int[] ints, long[] longs, int row) {
        if (row < 0 || (row + 1) * INTS > ints.length || (row + 1) * LONGS > longs.length) {
            throw new IndexOutOfBoundsException("row " + row + " of " + ints.length / INTS);
        }
        return new TcpInfo(ints, longs, row);
    }

    private TcpInfo(int[] ints, long[] longs, int row) {
        this.ints = ints;
        this.longs = longs;
        this.row = row;
    }

    /**
     * Writes row {@code row} of int and long columns ({@link #INTS} and {@link #LONGS} a row): what the decoder
     * read, unchecked: each u32 field as the kernel's 32 bits (every int is one), each field past {@code size} -1,
     * as the checked constructor stores them.
     */
    public static void store(int[] ints, long[] longs, int row,
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
        int i = row * INTS;
        int l = row * LONGS;
        ints[i + SIZE] = size;
        ints[i + RETRANSMITS] = retransmits;
        ints[i + BACKOFF] = backoff;
        ints[i + SND_MSS] = sndMss;
        ints[i + UNACKED] = unacked;
        ints[i + PMTU] = pmtu;
        ints[i + RTT] = rttMicros;
        ints[i + RTTVAR] = rttVarMicros;
        ints[i + SND_CWND] = sndCwnd;
        ints[i + ADVMSS] = advMss;
        ints[i + RCV_SPACE] = rcvSpace;
        ints[i + TOTAL_RETRANS] = totalRetrans;
        ints[i + SEGS_OUT] = segsOut;
        ints[i + NOTSENT_BYTES] = notsentBytes;
        ints[i + MIN_RTT] = minRttMicros;
        ints[i + DATA_SEGS_OUT] = dataSegsOut;
        ints[i + SND_WND] = sndWnd;
        longs[l + BYTES_ACKED] = bytesAcked;
        longs[l + DELIVERY_RATE] = deliveryRate;
        longs[l + BUSY_TIME] = busyTimeMicros;
        longs[l + RWND_LIMITED] = rwndLimitedMicros;
        longs[l + SNDBUF_LIMITED] = sndbufLimitedMicros;
        longs[l + BYTES_SENT] = bytesSent;
        longs[l + BYTES_RETRANS] = bytesRetrans;
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

    /**
     * The u32 field at {@code field} of the int row starting at {@code i}, unsigned, when the row's size
     * reaches {@code end} (the field's end in the struct), else -1: every u32 accessor, here and in
     * {@link DetailedSockets}.
     */
    static long u32(int[] ints, int i, int field, int end) {
        return ints[i + SIZE] >= end ? Integer.toUnsignedLong(ints[i + field]) : -1;
    }

    /** Copies this row into row {@code to} of other columns. */
    void copyTo(int[] toInts, long[] toLongs, int to) {
        System.arraycopy(ints, i(), toInts, to * INTS, INTS);
        System.arraycopy(longs, row * LONGS, toLongs, to * LONGS, LONGS);
    }

    private int i() {
        return row * INTS;
    }

    private long l(int field) {
        return longs[row * LONGS + field];
    }

    public int size() {
        return ints[i() + SIZE];
    }

    public int retransmits() {
        return ints[i() + RETRANSMITS];
    }

    public int backoff() {
        return ints[i() + BACKOFF];
    }

    public long sndMss() {
        return u32(ints, i(), SND_MSS, 20);
    }

    public long unacked() {
        return u32(ints, i(), UNACKED, 28);
    }

    public long pmtu() {
        return u32(ints, i(), PMTU, 64);
    }

    public long rttMicros() {
        return u32(ints, i(), RTT, 72);
    }

    public long rttVarMicros() {
        return u32(ints, i(), RTTVAR, 76);
    }

    public long sndCwnd() {
        return u32(ints, i(), SND_CWND, 84);
    }

    public long advMss() {
        return u32(ints, i(), ADVMSS, 88);
    }

    public long rcvSpace() {
        return u32(ints, i(), RCV_SPACE, 100);
    }

    public long totalRetrans() {
        return u32(ints, i(), TOTAL_RETRANS, 104);
    }

    public long bytesAcked() {
        return l(BYTES_ACKED);
    }

    public long segsOut() {
        return u32(ints, i(), SEGS_OUT, 140);
    }

    public long notsentBytes() {
        return u32(ints, i(), NOTSENT_BYTES, 148);
    }

    public long minRttMicros() {
        return u32(ints, i(), MIN_RTT, 152);
    }

    public long dataSegsOut() {
        return u32(ints, i(), DATA_SEGS_OUT, 160);
    }

    public long deliveryRate() {
        return l(DELIVERY_RATE);
    }

    public long busyTimeMicros() {
        return l(BUSY_TIME);
    }

    public long rwndLimitedMicros() {
        return l(RWND_LIMITED);
    }

    public long sndbufLimitedMicros() {
        return l(SNDBUF_LIMITED);
    }

    public long bytesSent() {
        return l(BYTES_SENT);
    }

    public long bytesRetrans() {
        return l(BYTES_RETRANS);
    }

    public long sndWnd() {
        return u32(ints, i(), SND_WND, 232);
    }

    /** True when the field that ends at {@code endOffset} was sent by the kernel. */
    public boolean covers(int endOffset) {
        return size() >= endOffset;
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
        return o instanceof TcpInfo t && Arrays.equals(ints, i(), i() + INTS, t.ints, t.i(), t.i() + INTS)
                && Arrays.equals(longs, row * LONGS, row * LONGS + LONGS, t.longs, t.row * LONGS, t.row * LONGS + LONGS);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int k = 0; k < INTS; k++) {
            h = 31 * h + ints[i() + k];
        }
        for (int k = 0; k < LONGS; k++) {
            h = 31 * h + Long.hashCode(l(k));
        }
        return h;
    }

    @Override
    public String toString() {
        return "TcpInfo[size=" + size() + ", "
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

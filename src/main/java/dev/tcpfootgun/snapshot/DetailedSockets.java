package dev.tcpfootgun.snapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sockets of one read that keep their details (every listener, and the connections up to the detail
 * limit), stored column-wise: a socket is a row of eight arrays instead of a {@link TcpSocket}, a
 * {@link TcpInfo} and a {@link SocketMemory}. At 100,000 sockets a node's 10,000 detailed connections live
 * through the scrape's young collections, and the GC copies and promotes what they hold: as objects, three a
 * connection and 248 bytes; here 164 bytes of arrays, which the netlink source's next read fills again once
 * the scrapes are done with this one ({@link Recycling}). Endpoints are kept as the source made them (the
 * decoder shares one between the sockets of an address and port).
 *
 * <p>A check or renderer that reads every connection reads it by index ({@link #state}, {@link #rttMicros},
 * ...); {@link #socket} makes the record of one (for the few a finding names, and tests).
 * Filled by one reader, then only read; not thread-safe while it is being filled.
 */
public final class DetailedSockets {
    private static final Family[] FAMILIES = Family.values();
    private static final TcpState[] STATES = TcpState.values();
    // the meta column: family, state, timer and retransmits in one int, and whether tcp_info and SKMEMINFO came
    private static final int STATE_SHIFT = 1; // Family has two values: bit 0
    private static final int TIMER_SHIFT = 8;
    private static final int RETRANSMITS_SHIFT = 16;
    private static final int HAS_INFO = 1 << 24;
    private static final int HAS_MEMORY = 1 << 25;
    private static final int HAS_RCVBUF = 1 << 26;
    private static final int HAS_SNDBUF = 1 << 27;
    // the ints column, a row a socket
    private static final int TX_QUEUE = 0;
    private static final int RX_QUEUE = 1;
    private static final int RCV_BUF = 2;
    private static final int SND_BUF = 3;
    private static final int INTS = 4;

    private int[] meta;
    private int[] ints;
    private long[] expires;
    private Endpoint[] local;
    private Endpoint[] remote;
    private String[] congestion;
    /** {@link TcpInfo}'s int and long rows, one a socket, written only for a socket that {@link #hasInfo}. */
    private int[] infoInts;
    private long[] infoLongs;
    private int size;
    private int connections;
    /** Where {@link #recycle()} gives the columns back; null: never. */
    private final Recycling home;
    /** {@link #listeners()} once made; null until then, and again whenever the sockets change. */
    private List<TcpSocket> listeners;

    public DetailedSockets() {
        this(16);
    }

    /**
     * @param expected how many sockets to make room for up front, and an eighth more (the last read's count, say);
     *     more still fit
     */
    public DetailedSockets(int expected) {
        this(expected, null);
    }

    /**
     * @param home where the last read's columns wait once nothing reads them: taken if they hold {@code expected}
     *     sockets (the spare store is then emptied, so a reader it was still given to fails instead of reading
     *     this read's sockets), and where {@link #recycle()} gives these back; null for neither
     */
    DetailedSockets(int expected, Recycling home) {
        this.home = home;
        int n = Math.max(4, Math.min(expected, 1 << 24));
        DetailedSockets spare = home == null ? null : home.takeDetailed();
        if (spare != null && spare.meta != null && spare.meta.length >= n) {
            meta = spare.meta;
            ints = spare.ints;
            expires = spare.expires;
            local = spare.local;
            remote = spare.remote;
            congestion = spare.congestion;
            infoInts = spare.infoInts;
            infoLongs = spare.infoLongs;
            spare.emptied();
            return;
        }
        n += n / 8; // a read a little larger than the last still fits, and leaves columns the next one can take
        meta = new int[n];
        ints = new int[n * INTS];
        expires = new long[n];
        local = new Endpoint[n];
        remote = new Endpoint[n];
        congestion = new String[n];
        infoInts = new int[n * TcpInfo.INTS];
        infoLongs = new long[n * TcpInfo.LONGS];
    }

    /**
     * Adds a socket without its attributes and returns its row, for {@link #congestion(int, String)},
     * {@link #memory(int, long, long)} and {@link #info(int)} to fill.
     *
     * @param txQueue idiag_wqueue's 32 bits (read back unsigned)
     * @param rxQueue idiag_rqueue's 32 bits
     * @param timer the timer code, 0-255
     * @param retransmits idiag_retrans, 0-255
     */
    public int add(Family family, TcpState state, Endpoint localEnd, Endpoint remoteEnd, int txQueue, int rxQueue, int timer,
            long timerExpiresMillis, int retransmits) {
        if ((timer & ~0xff) != 0 || (retransmits & ~0xff) != 0) {
            throw new IllegalArgumentException("timer " + timer + ", retransmits " + retransmits + " out of range");
        }
        int i = size;
        if (i == meta.length) {
            grow();
        }
        meta[i] = family.ordinal() | state.ordinal() << STATE_SHIFT | timer << TIMER_SHIFT | retransmits << RETRANSMITS_SHIFT;
        int r = i * INTS;
        ints[r + TX_QUEUE] = txQueue;
        ints[r + RX_QUEUE] = rxQueue;
        expires[i] = timerExpiresMillis;
        local[i] = localEnd;
        remote[i] = remoteEnd;
        congestion[i] = null;
        listeners = null;
        size++;
        if (state != TcpState.LISTEN) {
            connections++;
        }
        return i;
    }

    /** Adds a socket that a source already made. */
    public void add(TcpSocket s) {
        int i = add(s.family(), s.state(), s.local(), s.remote(), u32("txQueue", s.txQueue()), u32("rxQueue", s.rxQueue()),
                s.timer(), s.timerExpiresMillis(), s.retransmits());
        congestion(i, s.congestion());
        if (s.memory() != null) {
            memory(i, s.memory().rcvBuf(), s.memory().sndBuf());
        }
        TcpInfo t = s.info();
        if (t != null) {
            t.copyTo(infoInts, infoLongs, info(i));
        }
    }

    private static int u32(String name, long v) {
        if (v < 0 || v > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(name + " " + v + " does not fit 32 bits");
        }
        return (int) v;
    }

    /** The congestion control name of row {@code i} (INET_DIAG_CONG), null when none came. */
    public void congestion(int i, String name) {
        congestion[row(i)] = name;
    }

    /** The SKMEMINFO buffer sizes of row {@code i}, bytes (u32), each -1 when the kernel sent fewer counters. */
    public void memory(int i, long rcvBuf, long sndBuf) {
        int r = row(i) * INTS;
        ints[r + RCV_BUF] = u32OrAbsent("rcvBuf", rcvBuf);
        ints[r + SND_BUF] = u32OrAbsent("sndBuf", sndBuf);
        // a repeated attribute replaces the first, as its fields do
        meta[i] = meta[i] & ~(HAS_RCVBUF | HAS_SNDBUF) | HAS_MEMORY | (rcvBuf >= 0 ? HAS_RCVBUF : 0) | (sndBuf >= 0 ? HAS_SNDBUF : 0);
    }

    private static int u32OrAbsent(String name, long v) {
        return v == -1 ? 0 : u32(name, v);
    }

    /**
     * Marks row {@code i} as having tcp_info and returns it, for the decoder to write that row of
     * {@link #infoInts()} and {@link #infoLongs()} ({@link TcpInfo#store}).
     */
    public int info(int i) {
        meta[row(i)] |= HAS_INFO;
        return i;
    }

    /** The tcp_info int column ({@link TcpInfo}'s layout, {@link TcpInfo#INTS} a row): for the decoder to write a row. */
    public int[] infoInts() {
        return infoInts;
    }

    /** The tcp_info long column ({@link TcpInfo#LONGS} a row). */
    public long[] infoLongs() {
        return infoLongs;
    }

    private void grow() {
        int n = meta.length + (meta.length >> 1);
        meta = Arrays.copyOf(meta, n);
        ints = Arrays.copyOf(ints, n * INTS);
        expires = Arrays.copyOf(expires, n);
        local = Arrays.copyOf(local, n);
        remote = Arrays.copyOf(remote, n);
        congestion = Arrays.copyOf(congestion, n);
        infoInts = Arrays.copyOf(infoInts, n * TcpInfo.INTS);
        infoLongs = Arrays.copyOf(infoLongs, n * TcpInfo.LONGS);
    }

    /**
     * Gives the columns back to where they came from, for the next read: only once nothing reads this
     * store any more (the records it made are copies, tcp_info included, and may outlive it). The
     * references it holds are cleared, so the spare keeps no endpoint alive.
     */
    public void recycle() {
        if (home == null || meta == null) {
            return;
        }
        Arrays.fill(local, 0, size, null);
        Arrays.fill(remote, 0, size, null);
        Arrays.fill(congestion, 0, size, null);
        home.give(this);
    }

    /** The columns were taken by another read: this store has no sockets, and reading one fails. */
    private void emptied() {
        listeners = null;
        size = 0;
        connections = 0;
        meta = null;
        ints = null;
        expires = null;
        local = null;
        remote = null;
        congestion = null;
        infoInts = null;
        infoLongs = null;
    }

    /** Forgets the sockets added after the first {@code keep}. */
    public void truncate(int keep) {
        if (keep < 0 || keep > size) {
            throw new IllegalArgumentException("cannot keep " + keep + " of " + size);
        }
        for (int i = keep; i < size; i++) {
            if (state(i) != TcpState.LISTEN) {
                connections--;
            }
        }
        listeners = null;
        size = keep;
    }

    public int size() {
        return size;
    }

    /** Sockets that are not listening. */
    public int connections() {
        return connections;
    }

    public Family family(int i) {
        return FAMILIES[meta[row(i)] & 1];
    }

    public TcpState state(int i) {
        return STATES[meta[row(i)] >>> STATE_SHIFT & 0x7f];
    }

    public boolean isListening(int i) {
        return (meta[row(i)] >>> STATE_SHIFT & 0x7f) == TcpState.LISTEN.ordinal();
    }

    public Endpoint local(int i) {
        return local[row(i)];
    }

    public Endpoint remote(int i) {
        return remote[row(i)];
    }

    public long txQueue(int i) {
        return Integer.toUnsignedLong(ints[row(i) * INTS + TX_QUEUE]);
    }

    public long rxQueue(int i) {
        return Integer.toUnsignedLong(ints[row(i) * INTS + RX_QUEUE]);
    }

    /** {@link TcpSocket#timer()}. */
    public int timer(int i) {
        return meta[row(i)] >>> TIMER_SHIFT & 0xff;
    }

    public long timerExpiresMillis(int i) {
        return expires[row(i)];
    }

    /** {@link TcpSocket#retransmits()}. */
    public int retransmits(int i) {
        return meta[row(i)] >>> RETRANSMITS_SHIFT & 0xff;
    }

    /** The congestion control name, null when the source gave none. */
    public String congestion(int i) {
        return congestion[row(i)];
    }

    /** Whether the source gave the socket's memory (netlink INET_DIAG_SKMEMINFO). */
    public boolean hasMemory(int i) {
        return (meta[row(i)] & HAS_MEMORY) != 0;
    }

    /** {@link SocketMemory#rcvBuf()}, -1 when the kernel did not send it or there is no {@link #hasMemory memory}. */
    public long rcvBuf(int i) {
        return (meta[row(i)] & HAS_RCVBUF) != 0 ? Integer.toUnsignedLong(ints[i * INTS + RCV_BUF]) : -1;
    }

    /** {@link SocketMemory#sndBuf()}, as {@link #rcvBuf}. */
    public long sndBuf(int i) {
        return (meta[row(i)] & HAS_SNDBUF) != 0 ? Integer.toUnsignedLong(ints[i * INTS + SND_BUF]) : -1;
    }

    /** Whether the source gave the socket's tcp_info (netlink, full sockets only). */
    public boolean hasInfo(int i) {
        return (meta[row(i)] & HAS_INFO) != 0;
    }

    /** The socket's tcp_info, a copy of its row (allocates); null when it has none. */
    public TcpInfo infoOf(int i) {
        if (!hasInfo(i)) {
            return null;
        }
        return TcpInfo.view(Arrays.copyOfRange(infoInts, i * TcpInfo.INTS, (i + 1) * TcpInfo.INTS),
                Arrays.copyOfRange(infoLongs, i * TcpInfo.LONGS, (i + 1) * TcpInfo.LONGS), 0);
    }

    /** {@link TcpInfo#size()} of socket {@code i}, which {@link #hasInfo}. */
    public int infoSize(int i) {
        return infoInts[infoRow(i, "size") * TcpInfo.INTS + TcpInfo.SIZE];
    }

    /** {@link TcpInfo#retransmits()} of socket {@code i}, which {@link #hasInfo}. */
    public int infoRetransmits(int i) {
        return infoInts[infoRow(i, "retransmits") * TcpInfo.INTS + TcpInfo.RETRANSMITS];
    }

    /** {@link TcpInfo#backoff()} of socket {@code i}, which {@link #hasInfo}. */
    public int backoff(int i) {
        return infoInts[infoRow(i, "backoff") * TcpInfo.INTS + TcpInfo.BACKOFF];
    }

    /** {@link TcpInfo#covers} of socket {@code i}, which {@link #hasInfo}. */
    public boolean covers(int i, int endOffset) {
        return infoSize(i) >= endOffset;
    }

    /** {@link TcpInfo#hasMinRtt()} of socket {@code i}, which {@link #hasInfo}. */
    public boolean hasMinRtt(int i) {
        return covers(i, 152) && minRttMicros(i) != TcpInfo.MIN_RTT_UNSET;
    }

    /** {@link TcpInfo#hasLimitedTimes()} of socket {@code i}, which {@link #hasInfo}. */
    public boolean hasLimitedTimes(int i) {
        return covers(i, TcpInfo.SIZE_4_10);
    }

    /** {@link TcpInfo#sndMss()} of socket {@code i}, which {@link #hasInfo}. */
    public long sndMss(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "sndMss") * TcpInfo.INTS, TcpInfo.SND_MSS, 20);
    }

    /** {@link TcpInfo#pmtu()} of socket {@code i}, which {@link #hasInfo}. */
    public long pmtu(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "pmtu") * TcpInfo.INTS, TcpInfo.PMTU, 64);
    }

    /** {@link TcpInfo#rttMicros()} of socket {@code i}, which {@link #hasInfo}. */
    public long rttMicros(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "rttMicros") * TcpInfo.INTS, TcpInfo.RTT, 72);
    }

    /** {@link TcpInfo#rttVarMicros()} of socket {@code i}, which {@link #hasInfo}. */
    public long rttVarMicros(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "rttVarMicros") * TcpInfo.INTS, TcpInfo.RTTVAR, 76);
    }

    /** {@link TcpInfo#sndCwnd()} of socket {@code i}, which {@link #hasInfo}. */
    public long sndCwnd(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "sndCwnd") * TcpInfo.INTS, TcpInfo.SND_CWND, 84);
    }

    /** {@link TcpInfo#advMss()} of socket {@code i}, which {@link #hasInfo}. */
    public long advMss(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "advMss") * TcpInfo.INTS, TcpInfo.ADVMSS, 88);
    }

    /** {@link TcpInfo#totalRetrans()} of socket {@code i}, which {@link #hasInfo}. */
    public long totalRetrans(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "totalRetrans") * TcpInfo.INTS, TcpInfo.TOTAL_RETRANS, 104);
    }

    /** {@link TcpInfo#segsOut()} of socket {@code i}, which {@link #hasInfo}. */
    public long segsOut(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "segsOut") * TcpInfo.INTS, TcpInfo.SEGS_OUT, 140);
    }

    /** {@link TcpInfo#minRttMicros()} of socket {@code i}, which {@link #hasInfo}. */
    public long minRttMicros(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "minRttMicros") * TcpInfo.INTS, TcpInfo.MIN_RTT, 152);
    }

    /** {@link TcpInfo#dataSegsOut()} of socket {@code i}, which {@link #hasInfo}. */
    public long dataSegsOut(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "dataSegsOut") * TcpInfo.INTS, TcpInfo.DATA_SEGS_OUT, 160);
    }

    /** {@link TcpInfo#sndWnd()} of socket {@code i}, which {@link #hasInfo}. */
    public long sndWnd(int i) {
        return TcpInfo.u32(infoInts, infoRow(i, "sndWnd") * TcpInfo.INTS, TcpInfo.SND_WND, 232);
    }

    /** {@link TcpInfo#deliveryRate()} of socket {@code i}, which {@link #hasInfo}. */
    public long deliveryRate(int i) {
        return infoLongs[infoRow(i, "deliveryRate") * TcpInfo.LONGS + TcpInfo.DELIVERY_RATE];
    }

    /** {@link TcpInfo#busyTimeMicros()} of socket {@code i}, which {@link #hasInfo}. */
    public long busyTimeMicros(int i) {
        return infoLongs[infoRow(i, "busyTimeMicros") * TcpInfo.LONGS + TcpInfo.BUSY_TIME];
    }

    /** {@link TcpInfo#rwndLimitedMicros()} of socket {@code i}, which {@link #hasInfo}. */
    public long rwndLimitedMicros(int i) {
        return infoLongs[infoRow(i, "rwndLimitedMicros") * TcpInfo.LONGS + TcpInfo.RWND_LIMITED];
    }

    /** {@link TcpInfo#sndbufLimitedMicros()} of socket {@code i}, which {@link #hasInfo}. */
    public long sndbufLimitedMicros(int i) {
        return infoLongs[infoRow(i, "sndbufLimitedMicros") * TcpInfo.LONGS + TcpInfo.SNDBUF_LIMITED];
    }

    /** {@code i}, a socket with tcp_info: one without has none to read {@code field} from. */
    private int infoRow(int i, String field) {
        if (!hasInfo(i)) {
            throw noInfo(i, field);
        }
        return i;
    }

    private static IllegalStateException noInfo(int i, String field) {
        return new IllegalStateException("socket " + i + " has no tcp_info to read " + field + " from");
    }

    /** Socket {@code i} as a record (its tcp_info a copy of this store's row); allocates. */
    public TcpSocket socket(int i) {
        return new TcpSocket(family(i), state(i), local(i), remote(i), txQueue(i), rxQueue(i), timer(i), timerExpiresMillis(i),
                retransmits(i), infoOf(i), congestion(i), hasMemory(i) ? new SocketMemory(rcvBuf(i), sndBuf(i)) : null);
    }

    /**
     * The listening sockets as records, in the order they were added: a node has a few, and they are read by
     * address. Made once for a filled store (the peers, both listener checks and the listener metrics all ask),
     * an immutable list, so scrapes sharing the read may ask at once.
     */
    public List<TcpSocket> listeners() {
        List<TcpSocket> made = listeners;
        if (made == null) {
            List<TcpSocket> out = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (isListening(i)) {
                    out.add(socket(i));
                }
            }
            made = List.copyOf(out);
            listeners = made;
        }
        return made;
    }

    /** Every socket as a record, in the order they were added; allocates (tests, small reads). */
    public List<TcpSocket> sockets() {
        List<TcpSocket> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(socket(i));
        }
        return out;
    }

    /**
     * {@code i}, checked against the sockets added (the columns run past them, stale): small enough for C1 to
     * inline into every accessor, the message made in a method of its own.
     */
    private int row(int i) {
        if (i < 0 || i >= size) {
            throw outOfRange(i);
        }
        return i;
    }

    private IndexOutOfBoundsException outOfRange(int i) {
        return new IndexOutOfBoundsException("socket " + i + " of " + size);
    }
}

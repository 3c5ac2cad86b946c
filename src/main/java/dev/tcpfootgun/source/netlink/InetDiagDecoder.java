package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.CompactSockets;
import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes SOCK_DIAG_BY_FAMILY and TCPDIAG_GETSOCK replies (struct inet_diag_msg, include/uapi/linux/inet_diag.h, then
 * attributes): a TIME_WAIT socket, or a connection past the detail limit, straight into the
 * table's compact column store; any other into its detailed one, a row of columns, not objects. One instance per dump: it caches address text and congestion names across
 * sockets and decodes from a heap copy of each datagram, so it is not thread-safe.
 */
public final class InetDiagDecoder implements MessageSink {
    static final int SOCK_DIAG_BY_FAMILY = 20;
    /** The request for both families at once; the kernel answers with inet_diag_msg of this type. */
    static final int TCPDIAG_GETSOCK = 18;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int INET_DIAG_MSG_SIZE = 72;
    /** idiag_state of a TIME_WAIT socket, as the byte the fast path compares. */
    private static final byte TIME_WAIT = (byte) TcpState.TIME_WAIT.code();
    private static final int BODY = NetlinkMessages.HEADER;
    private static final int ATTRS = BODY + INET_DIAG_MSG_SIZE;

    static final int INET_DIAG_INFO = 2;
    static final int INET_DIAG_CONG = 4;
    static final int INET_DIAG_SKMEMINFO = 7;
    /** Datagrams up to this size are copied whole; the kernel's are at most 32 KiB. */
    private static final long MAX_HEAP_COPY = 1 << 20;

    private final AddressText localText = new AddressText();
    private final AddressText remoteText = new AddressText();
    private final ParseLog log;
    /** Column-store groups of IPv4 sockets by their raw local and remote addresses and remote port. */
    private final V4Groups v4Groups = new V4Groups();
    private final SocketTable.Builder sockets;
    /** The builder's column store (one object for the builder's life, rollbacks included), read once instead of once a socket. */
    private final CompactSockets compact;
    /** The builder's detailed store, as {@link #compact}. */
    private final DetailedSockets detailed;
    private String lastCongestion = "";
    /** Only for messages handed over as segments alone (tests, replays): the walk's own copy serves the dump. */
    private byte[] heap = new byte[0];
    /** The segment {@link #heap} holds a copy of, from {@link #copiedFrom}, {@link #copiedLength} bytes. */
    private MemorySegment copied;
    private long copiedFrom;
    private long copiedLength;

    public InetDiagDecoder(ParseLog log, SocketTable.Builder into) {
        this.log = log;
        this.sockets = into;
        this.compact = into.compact();
        this.detailed = into.detailed();
    }

    /** Decodes concatenated netlink messages, as captured from a dump, in one go. */
    public static SocketTable decodeTable(MemorySegment messages, ParseLog log) throws IOException {
        SocketTable.Builder out = new SocketTable.Builder();
        InetDiagDecoder decoder = new InetDiagDecoder(log, out);
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "inet_diag replay", decoder);
        return out.build();
    }

    /** {@link #decodeTable}, every socket as a record. */
    public static List<TcpSocket> decode(MemorySegment messages, ParseLog log) throws IOException {
        return decodeTable(messages, log).all();
    }

    /** Decodes one message and adds the socket, or counts it skipped. */
    @Override
    public void accept(MemorySegment m) {
        accept(m, 0, m.byteSize());
    }

    /** Decodes the message at {@code o} of the datagram from the datagram's heap copy. */
    @Override
    public void accept(MemorySegment m, long o, long size) {
        int at = heapOffset(m, o, size); // first: it may replace the array
        accept(m, heap, at, (int) size);
    }

    /**
     * Decodes the message at {@code o} straight from the walk's heap copy of the datagram. An IPv4
     * TIME_WAIT socket, most of a busy node's dump, is decided by three bytes and goes into its
     * column-store group here, without the general path's calls (under C1 each is a real call, 100,000
     * times a dump); what it stores is what {@link #decodeMessage} would store for it.
     */
    @Override
    public void accept(MemorySegment datagram, byte[] copy, int o, int size) {
        if (size >= ATTRS && copy[o + BODY + 1] == TIME_WAIT && copy[o + BODY] == AF_INET && isSocketMessage(copy, o)) {
            int ports = HostBytes.be32(copy, o + BODY + 4); // idiag_sport then idiag_dport: one read
            compact.add(v4Group(copy, o, ports & 0xffff), TcpState.TIME_WAIT, ports >>> 16, HostBytes.u32(copy, o + BODY + 52));
            return;
        }
        decodeMessage(copy, o, size);
    }

    private static boolean isSocketMessage(byte[] m, int o) {
        int type = HostBytes.u16(m, o + 4);
        return type == TCPDIAG_GETSOCK || type == SOCK_DIAG_BY_FAMILY;
    }

    /** The column-store group of an IPv4 socket, straight from the bytes that decide it: one lookup a socket instead of three. */
    private int v4Group(byte[] m, int o, int dport) {
        long addresses = (long) HostBytes.be32(m, o + BODY + 8) << 32 | Integer.toUnsignedLong(HostBytes.be32(m, o + BODY + 24));
        int group = v4Groups.get(addresses, dport);
        if (group < 0) {
            group = compact.group(Family.INET, localText.id(m, o + BODY + 8, false, compact),
                    remoteText.id(m, o + BODY + 24, false, compact), dport);
            v4Groups.put(addresses, dport, group);
        }
        return group;
    }

    /**
     * Where the message at {@code o} of {@code m} starts in {@link #heap}: the whole datagram is copied
     * there at its first message (one bulk copy instead of dozens of segment reads per message), a
     * replay larger than a datagram message by message.
     */
    private int heapOffset(MemorySegment m, long o, long size) {
        if (m != copied || o < copiedFrom || o + size > copiedFrom + copiedLength) {
            boolean whole = m.byteSize() <= MAX_HEAP_COPY;
            long from = whole ? 0 : o;
            int n = (int) (whole ? m.byteSize() : size);
            if (heap.length < n) {
                heap = new byte[n];
            }
            MemorySegment.copy(m, ValueLayout.JAVA_BYTE, from, heap, 0, n);
            copied = m;
            copiedFrom = from;
            copiedLength = n;
        }
        return (int) (o - copiedFrom);
    }

    /** Adds the socket to the detailed or the compact store, or counts it skipped. */
    private void decodeMessage(byte[] m, int o, int size) {
        if (!isSocketMessage(m, o)) {
            log.skip("inet_diag: unexpected message type " + HostBytes.u16(m, o + 4));
            return;
        }
        if (size < ATTRS) {
            log.skip("inet_diag: message of " + size + " bytes, shorter than inet_diag_msg");
            return;
        }
        int af = HostBytes.u8(m, o + BODY);
        if (af != AF_INET && af != AF_INET6) {
            log.skip("inet_diag: address family " + af);
            return;
        }
        boolean v6 = af == AF_INET6;
        int ports = HostBytes.be32(m, o + BODY + 4); // idiag_sport then idiag_dport: one read
        int sport = ports >>> 16;
        int dport = ports & 0xffff;
        Family family = v6 ? Family.INET6 : Family.INET;
        TcpState state = state(HostBytes.u8(m, o + BODY + 1));
        if (!sockets.wantsDetail(state)) {
            // TIME_WAIT (the kernel sends no attributes for it), or a connection past the detail limit:
            // counted in the column store, its attributes not decoded
            if (v6) {
                compact.add(family, state, localText.id(m, o + BODY + 8, true, compact), sport,
                        remoteText.id(m, o + BODY + 24, true, compact), dport, HostBytes.u32(m, o + BODY + 52));
                return;
            }
            compact.add(v4Group(m, o, dport), state, sport, HostBytes.u32(m, o + BODY + 52));
            return;
        }
        Endpoint local = localText.endpoint(m, o + BODY + 8, v6, sport);
        Endpoint remote = remoteText.endpoint(m, o + BODY + 24, v6, dport);
        int row = detailed.add(family, state, local, remote,
                HostBytes.s32(m, o + BODY + 60), // idiag_wqueue
                HostBytes.s32(m, o + BODY + 56), // idiag_rqueue
                HostBytes.u8(m, o + BODY + 2),
                HostBytes.u32(m, o + BODY + 52),
                HostBytes.u8(m, o + BODY + 3));
        int end = o + size;
        for (int off = o + ATTRS; off + Nlattr.HEADER <= end; ) {
            int len = HostBytes.u16(m, off);
            if (len < Nlattr.HEADER || off + len > end) {
                log.skip("inet_diag: attribute length " + len + " overruns its message");
                break;
            }
            int payload = off + Nlattr.HEADER;
            int payloadLen = len - Nlattr.HEADER;
            switch (HostBytes.u16(m, off + 2) & Nlattr.TYPE_MASK) {
                case INET_DIAG_INFO -> TcpInfoDecoder.decode(m, payload, payloadLen, detailed, row);
                case INET_DIAG_CONG -> detailed.congestion(row, congestion(m, payload, payloadLen));
                case INET_DIAG_SKMEMINFO -> memory(m, payload, payloadLen, row);
                default -> { } // MEMINFO, SHUTDOWN, MARK, CGROUP_ID, SOCKOPT...: not used
            }
            off += Nlattr.align(len);
        }
    }

    /**
     * The kernel reports a socket that only called bind() with idiag_state TCP_CLOSE (7): only the walk
     * of the bind table that the request's TCPF_BOUND_INACTIVE bit asks for returns sockets in CLOSE
     * (inet_diag_dump_icsk; closed sockets are in no other table), so 7 here means bound-inactive.
     */
    private static TcpState state(int code) {
        return code == TcpState.CLOSE.code() ? TcpState.BOUND_INACTIVE : TcpState.fromCode(code);
    }

    /** Reuses the previous name when the bytes match: every socket repeats "cubic" or "bbr". */
    private String congestion(byte[] m, int off, int len) {
        int n = 0;
        while (n < len && m[off + n] != 0) {
            n++;
        }
        String last = lastCongestion;
        if (last.length() == n) {
            boolean same = true;
            for (int i = 0; i < n && same; i++) {
                same = last.charAt(i) == (char) m[off + i];
            }
            if (same) {
                return last;
            }
        }
        lastCongestion = new String(m, off, n, StandardCharsets.US_ASCII);
        return lastCongestion;
    }

    /** SK_MEMINFO_RCVBUF and SK_MEMINFO_SNDBUF (the array's second and fourth u32), as far as the kernel sent them. */
    private void memory(byte[] m, int off, int len, int row) {
        int count = len / 4;
        detailed.memory(row, u32(m, off, 1, count), u32(m, off, 3, count));
    }

    /** The i-th u32 of an array of {@code count}, or -1 past its end (an older kernel sent fewer). */
    private static long u32(byte[] m, int off, int i, int count) {
        return i < count ? HostBytes.u32(m, off + 4 * i) : -1;
    }

    /**
     * Open addressing from (both IPv4 addresses, remote port) to a group; values are never negative.
     * A slot is two longs side by side, the addresses then port << 32 | group, so a probe reads one
     * cache line; the hash is mixed before its top bits pick the slot, since a node's few addresses
     * and ports differ only in their low bits (200 loopback groups took 2.5 probes each, now about 1.3).
     */
    static final class V4Groups {
        private static final long EMPTY = -1;
        private long[] slots = empty(64);
        private int shift = 64 - 6;
        private int count;

        private static long[] empty(int capacity) {
            long[] slots = new long[capacity * 2];
            for (int i = 1; i < slots.length; i += 2) {
                slots[i] = EMPTY;
            }
            return slots;
        }

        /** The group, or -1. */
        int get(long addr, int port) {
            long[] t = slots;
            int mask = t.length - 2;
            for (int i = slot(addr, port, shift); ; i = (i + 2) & mask) {
                long v = t[i + 1];
                if (v == EMPTY || (t[i] == addr && (int) (v >>> 32) == port)) {
                    return (int) v;
                }
            }
        }

        /** Adds an absent key. */
        void put(long addr, int port, int group) {
            if ((count + 1) * 4 > slots.length) { // over half the slots full (two longs a slot)
                long[] old = slots;
                slots = empty(old.length);
                shift--;
                count = 0;
                for (int j = 0; j < old.length; j += 2) {
                    if (old[j + 1] != EMPTY) {
                        put(old[j], (int) (old[j + 1] >>> 32), (int) old[j + 1]);
                    }
                }
            }
            long[] t = slots;
            int mask = t.length - 2;
            int i = slot(addr, port, shift);
            while (t[i + 1] != EMPTY) {
                i = (i + 2) & mask;
            }
            t[i] = addr;
            t[i + 1] = (long) port << 32 | group;
            count++;
        }

        /** The even index of the first slot to probe. */
        private static int slot(long addr, int port, int shift) {
            long h = addr + port * 0x9E3779B97F4A7C15L;
            h = (h ^ (h >>> 32)) * 0xD6E8FEB86659FD93L;
            return (int) (h >>> shift) << 1;
        }
    }
}

package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.SocketOrigin;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * TCP sockets from /proc/net/tcp and /proc/net/tcp6 (absent when IPv6 is disabled). Full sockets
 * print 17 fields, TIME_WAIT and SYN_RECV request sockets 12; uid, timeout, inode and the unnamed
 * tail are passed over, not parsed, since nothing reads them.
 *
 * <p>Another namespace's files ({@link #skippingEmpty}) are skipped where its sockstat says they are
 * empty. Each such read walks the kernel's one socket hash table of the whole node (about 25 ms of
 * kernel CPU here, 262 144 buckets, however few sockets the namespace has), so on a node of 250 pods
 * a skipped file is what the read costs: an IPv4-only pod's tcp6 is never read, and a namespace
 * without TCP reads neither. sockstat's counts are the namespace's own (TCP inuse: IPv4 sockets,
 * TCP6 inuse: IPv6, tw: TIME_WAIT of both), so tcp6 is read when it has sockets or when tcp did not
 * hold every TIME_WAIT.
 */
public final class ProcNetTcp implements Source<SocketTable> {
    /** USER_HZ: /proc prints times in clock ticks of 10 ms on every Linux architecture. */
    private static final long MILLIS_PER_TICK = 10;

    private final ProcFs procFs;
    private final int detailLimit;
    private final boolean skipEmpty;

    /** @param detailLimit connections kept as records; the rest only counted (--collector.sockets.detail-limit) */
    public ProcNetTcp(ProcFs procFs, int detailLimit) {
        this(procFs, detailLimit, false);
    }

    private ProcNetTcp(ProcFs procFs, int detailLimit, boolean skipEmpty) {
        this.procFs = procFs;
        this.detailLimit = detailLimit;
        this.skipEmpty = skipEmpty;
    }

    /** Another namespace's /proc/PID/net/tcp{,6}, each file read only when its sockstat says it holds sockets. */
    public static ProcNetTcp skippingEmpty(ProcFs procFs, int detailLimit) {
        return new ProcNetTcp(procFs, detailLimit, true);
    }

    @Override
    public SocketTable read(ParseLog log) throws IOException {
        // -1: unknown, read the file; sockstat's counts when this namespace's files may be skipped
        long v4 = -1;
        long tw = -1;
        long v6 = -1;
        if (skipEmpty) {
            try {
                Sockstat counts = new SockstatSource(procFs).read(new ParseLog());
                v4 = counts.get("TCP", "inuse").orElse(-1);
                tw = counts.get("TCP", "tw").orElse(-1);
                v6 = counts.get("TCP6", "inuse").orElse(-1);
            } catch (IOException e) {
                // no counts to go by: read both
            }
        }
        try {
            SocketTable.Builder sockets = new SocketTable.Builder(0, 0, detailLimit);
            int[] timeWait = new int[1];
            // a line at a time into the table, which keeps past the detail limit only what the census
            // counts: 250 000 sockets read in a few MiB, whatever the file's size
            if (v4 != 0 || tw != 0) {
                try (KernelLines tcp = KernelLines.required(procFs.net("tcp"))) {
                    parseInto(tcp, Family.INET, log, s -> {
                        timeWait[0] += s.state() == TcpState.TIME_WAIT ? 1 : 0;
                        sockets.add(s);
                    });
                }
            }
            if (v6 != 0 || tw < 0 || timeWait[0] < tw) {
                try (KernelLines tcp6 = KernelLines.open(procFs.net("tcp6"))) {
                    if (tcp6 != null) {
                        parseInto(tcp6, Family.INET6, log, sockets::add);
                    }
                }
            }
            return sockets.build().servedBy(SocketOrigin.PROCFS);
        } catch (RuntimeException e) {
            throw KernelFiles.failure(e);
        }
    }

    /** One file's sockets as records, in the file's order (tests, small reads). */
    public static List<TcpSocket> parse(String text, Family family, ParseLog log) {
        List<TcpSocket> sockets = new ArrayList<>();
        parseInto(text, family, log, sockets::add);
        return sockets;
    }

    /** Appends the sockets of one file's text to {@code out}; a line that does not parse is skipped and logged. */
    public static void parseInto(String text, Family family, ParseLog log, Consumer<TcpSocket> out) {
        try {
            parseInto(KernelLines.of(text), family, log, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // text in memory has no I/O to fail
        }
    }

    /**
     * Appends the sockets of one file to {@code out} as its lines are read, so a file of any size
     * costs one line of memory here; a line that does not parse, or is longer than the reader's
     * bound, is skipped and logged.
     */
    public static void parseInto(KernelLines lines, Family family, ParseLog log, Consumer<TcpSocket> out) throws IOException {
        FieldCursor f = new FieldCursor(lines, log, family == Family.INET ? "tcp" : "tcp6");
        HexEndpoints endpoints = new HexEndpoints(family);
        TcpColumns columns = TcpColumns.KERNEL;
        boolean first = true;
        while (f.nextLine()) {
            if (first) {
                first = false;
                TcpColumns header = TcpColumns.fromHeader(f);
                if (header != null) {
                    if (header.hasAddressesAndState()) {
                        columns = header;
                    } else {
                        log.skip("header without local_address, rem_address or st, using the kernel's layout: " + f.line());
                    }
                    continue;
                }
            }
            try {
                out.accept(socket(f, columns, family, endpoints));
            } catch (IllegalArgumentException e) {
                log.skip(family.label() + " socket line: " + e.getMessage() + ": " + f.line());
            }
        }
    }

    private static TcpSocket socket(FieldCursor f, TcpColumns c, Family family, HexEndpoints endpoints) {
        if (f.count() < c.named()) {
            throw new IllegalArgumentException(f.count() + " fields, expected at least " + c.named());
        }
        long txQueue = 0;
        long rxQueue = 0;
        if (c.queues() >= 0) {
            int colon = f.find(c.queues(), ':');
            txQueue = f.quantityHex(f.start(c.queues()), colon);
            rxQueue = f.quantityHex(colon + 1, f.end(c.queues()));
        }
        int timer = TcpSocket.TIMER_NONE;
        long timerTicks = 0;
        if (c.timer() >= 0) {
            int colon = f.find(c.timer(), ':');
            timer = f.smallHex(f.start(c.timer()), colon);
            timerTicks = f.quantityHex(colon + 1, f.end(c.timer()));
        }
        // every number read is range-checked: a value out of range skips the line, it never wraps into another
        return new TcpSocket(
                family,
                TcpState.fromCode(f.smallHex(c.state())),
                endpoints.endpoint(f, c.local()),
                endpoints.endpoint(f, c.remote()),
                txQueue,
                rxQueue,
                timer,
                FieldCursor.ticksToMillis(timerTicks, MILLIS_PER_TICK),
                c.retransmits() >= 0 ? f.smallHex(c.retransmits()) : 0,
                null,
                null,
                null);
    }
}

package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * Every TCP socket of the reader's network namespace, IPv4 and IPv6, all states, with tcp_info,
 * congestion control and socket memory: one NETLINK_SOCK_DIAG dump per address family.
 */
public final class InetDiagSockets implements Source<SocketTable> {
    private static final int IPPROTO_TCP = 6;
    /** Every state bit, TCPF_BOUND_INACTIVE (1 << 13) too: sockets that only called bind() hold ports connect() skips. */
    private static final int ALL_STATES = ~0;
    /** idiag_ext bits are 1 << (attribute - 1). */
    private static final int EXTENSIONS = 1 << (InetDiagDecoder.INET_DIAG_INFO - 1)
            | 1 << (InetDiagDecoder.INET_DIAG_CONG - 1)
            | 1 << (InetDiagDecoder.INET_DIAG_SKMEMINFO - 1);

    private final Duration timeout;
    private final int detailLimit;
    private final NetlinkTransport transport;
    /** The last read's counts, plus a margin: the next read's arrays start that large. */
    private volatile int lastOpen;
    private volatile int lastCompact;

    /** Every connection kept with its details. */
    public InetDiagSockets(Duration timeout) {
        this(timeout, SocketTable.UNLIMITED);
    }

    /** @param detailLimit connections kept with tcp_info; the rest only counted (--collector.sockets.detail-limit) */
    public InetDiagSockets(Duration timeout, int detailLimit) {
        this(timeout, detailLimit, NetlinkTransport.KERNEL);
    }

    public InetDiagSockets(Duration timeout, int detailLimit, NetlinkTransport transport) {
        this.timeout = timeout;
        this.detailLimit = detailLimit;
        this.transport = transport;
    }

    /**
     * A dump the kernel flags NLM_F_DUMP_INTR is retried once; if the retry is interrupted too, its
     * sockets are kept and the inconsistency is recorded in {@code log}.
     */
    @Override
    public SocketTable read(ParseLog log) throws IOException {
        SocketTable.Builder sockets = new SocketTable.Builder(lastOpen + lastOpen / 8, lastCompact + lastCompact / 8, detailLimit);
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_SOCK_DIAG, timeout)) {
            for (int family : new int[] {InetDiagDecoder.AF_INET, InetDiagDecoder.AF_INET6}) {
                InetDiagDecoder decoder = new InetDiagDecoder(log, sockets);
                NetlinkDumps.dumpWithRetry(socket, InetDiagDecoder.SOCK_DIAG_BY_FAMILY, request(family),
                        sockets.rollback(), decoder, log, "inet_diag family " + family);
            }
        }
        SocketTable table = sockets.build();
        lastOpen = table.open().size();
        lastCompact = table.compact().size();
        return table;
    }

    /** struct inet_diag_req_v2 (56 bytes) asking for one family's TCP sockets. */
    static byte[] request(int family) {
        ByteBuffer b = ByteBuffer.allocate(56).order(ByteOrder.nativeOrder());
        b.put(0, (byte) family);
        b.put(1, (byte) IPPROTO_TCP);
        b.put(2, (byte) EXTENSIONS);
        b.putInt(4, ALL_STATES);
        b.putInt(48, -1); // idiag_cookie {~0, ~0}: INET_DIAG_NOCOOKIE
        b.putInt(52, -1);
        return b.array();
    }
}

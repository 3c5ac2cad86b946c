package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.Recycling;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * Every TCP socket of the reader's network namespace, IPv4 and IPv6, all states, with tcp_info,
 * congestion control and socket memory: one NETLINK_SOCK_DIAG dump for both address families.
 */
public final class InetDiagSockets implements Source<SocketTable> {
    /** Every state bit, TCPF_BOUND_INACTIVE (1 << 13) too: sockets that only called bind() hold ports connect() skips. */
    private static final int ALL_STATES = ~0;
    /** idiag_ext bits are 1 << (attribute - 1). */
    private static final int EXTENSIONS = 1 << (InetDiagDecoder.INET_DIAG_INFO - 1)
            | 1 << (InetDiagDecoder.INET_DIAG_CONG - 1)
            | 1 << (InetDiagDecoder.INET_DIAG_SKMEMINFO - 1);

    private final Duration timeout;
    private final int detailLimit;
    private final NetlinkTransport transport;
    /** The last read's counts: the next read's arrays start that large, and an eighth more. */
    private volatile int lastOpen;
    private volatile int lastCompact;
    /** The columns of a read the scraper has given back, for the next read to fill. */
    private final Recycling recycling = new Recycling();

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
        SocketTable.Builder sockets = new SocketTable.Builder(lastOpen, lastCompact, detailLimit, recycling);
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_SOCK_DIAG, timeout)) {
            NetlinkDumps.dumpWithRetry(socket, InetDiagDecoder.TCPDIAG_GETSOCK, request(), sockets.rollback(),
                    new InetDiagDecoder(log, sockets), log, "inet_diag");
        }
        SocketTable table = sockets.build();
        lastOpen = table.detailed().size();
        lastCompact = table.compact().size();
        return table;
    }

    /**
     * struct inet_diag_req (60 bytes) for TCPDIAG_GETSOCK, which the kernel answers for IPv4 and IPv6
     * in one walk of its socket hash (262 144 buckets here, whatever the namespace holds; about half a
     * small scrape's CPU): inet_diag_req_v2 names one family, so it took a walk per family.
     */
    static byte[] request() {
        ByteBuffer b = ByteBuffer.allocate(60).order(ByteOrder.nativeOrder());
        b.put(3, (byte) EXTENSIONS); // idiag_family 0 (both), idiag_src_len and idiag_dst_len 0
        b.putInt(44, -1); // idiag_cookie {~0, ~0}: INET_DIAG_NOCOOKIE
        b.putInt(48, -1);
        b.putInt(52, ALL_STATES);
        return b.array();
    }
}

package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every queueing discipline of the namespace (RTM_GETQDISC dump): roots, and the per-queue
 * children of mq, which is where "is this interface on fq?" is really answered.
 */
public final class RtnetlinkQdiscs implements Source<List<Qdisc>> {
    static final int RTM_NEWQDISC = 36;
    static final int RTM_GETQDISC = 38;
    private static final int TCMSG_SIZE = 20;
    private static final int TCA_KIND = 1;

    private final Duration timeout;
    private final NetlinkTransport transport;

    public RtnetlinkQdiscs(Duration timeout) {
        this(timeout, NetlinkTransport.KERNEL);
    }

    public RtnetlinkQdiscs(Duration timeout, NetlinkTransport transport) {
        this.timeout = timeout;
        this.transport = transport;
    }

    /** NLM_F_DUMP_INTR: retried once, then kept and recorded in {@code log}. */
    @Override
    public List<Qdisc> read(ParseLog log) throws IOException {
        List<Qdisc> qdiscs = new ArrayList<>();
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_ROUTE, timeout)) {
            NetlinkDumps.dumpWithRetry(socket, RTM_GETQDISC, new byte[TCMSG_SIZE], NetlinkDumps.truncateTo(qdiscs),
                    m -> add(m, qdiscs, log), log, "RTM_GETQDISC");
        }
        return qdiscs;
    }

    /** Decodes concatenated RTM_NEWQDISC messages, as captured or built for a test. */
    public static List<Qdisc> decode(MemorySegment messages, ParseLog log) throws IOException {
        List<Qdisc> qdiscs = new ArrayList<>();
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "qdisc replay", m -> add(m, qdiscs, log));
        return qdiscs;
    }

    private static void add(MemorySegment m, List<Qdisc> into, ParseLog log) {
        if (NetlinkMessages.type(m) != RTM_NEWQDISC || m.byteSize() < NetlinkMessages.HEADER + TCMSG_SIZE) {
            log.skip("qdisc: unexpected message type " + NetlinkMessages.type(m) + ", " + m.byteSize() + " bytes");
            return;
        }
        long body = NetlinkMessages.HEADER;
        String kind = RtAttributes.string(m, body + TCMSG_SIZE, TCA_KIND);
        if (kind == null) {
            log.skip("qdisc: no TCA_KIND");
            return;
        }
        into.add(new Qdisc(
                m.get(Nlattr.U32, body + 4), // tcm_ifindex
                Nlattr.u32(m, body + 8), // tcm_handle
                Nlattr.u32(m, body + 12), // tcm_parent
                kind));
    }
}

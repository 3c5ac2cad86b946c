package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Conntrack statistics over ctnetlink (NETLINK_NETFILTER), for kernels built without
 * CONFIG_NF_CONNTRACK_PROCFS and so without /proc/net/stat/nf_conntrack. Keys are that file's
 * column names; values are summed over CPUs. Only counters the kernel sent appear.
 */
public final class CtnetlinkStats implements Source<Map<String, Long>> {
    private static final int NFNL_SUBSYS_CTNETLINK = 1;
    private static final int IPCTNL_MSG_CT_GET_STATS_CPU = 4;
    private static final int IPCTNL_MSG_CT_GET_STATS = 5;
    static final int STATS_CPU = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS_CPU;
    static final int STATS = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS;
    /** struct nfgenmsg: family AF_UNSPEC, NFNETLINK_V0, res_id 0 (the reply puts the CPU there). */
    private static final int NFGENMSG_SIZE = 4;

    private static final int CTA_STATS_GLOBAL_ENTRIES = 1;
    private static final int CTA_STATS_GLOBAL_MAX_ENTRIES = 2;

    /** enum ctattr_stats_cpu (include/uapi/linux/netfilter/nfnetlink_conntrack.h) to column names. */
    private static final String[] COLUMN_BY_ATTRIBUTE = new String[16];

    static {
        COLUMN_BY_ATTRIBUTE[2] = "found"; // CTA_STATS_FOUND
        COLUMN_BY_ATTRIBUTE[4] = "invalid"; // CTA_STATS_INVALID
        COLUMN_BY_ATTRIBUTE[8] = "insert"; // CTA_STATS_INSERT
        COLUMN_BY_ATTRIBUTE[9] = "insert_failed"; // CTA_STATS_INSERT_FAILED
        COLUMN_BY_ATTRIBUTE[10] = "drop"; // CTA_STATS_DROP
        COLUMN_BY_ATTRIBUTE[11] = "early_drop"; // CTA_STATS_EARLY_DROP
        COLUMN_BY_ATTRIBUTE[12] = "icmp_error"; // CTA_STATS_ERROR
        COLUMN_BY_ATTRIBUTE[13] = "search_restart"; // CTA_STATS_SEARCH_RESTART
        COLUMN_BY_ATTRIBUTE[14] = "clashres"; // CTA_STATS_CLASH_RESOLVE
        COLUMN_BY_ATTRIBUTE[15] = "chainlength"; // CTA_STATS_CHAIN_TOOLONG
    }

    private final Duration timeout;
    private final NetlinkTransport transport;

    public CtnetlinkStats(Duration timeout) {
        this(timeout, NetlinkTransport.KERNEL);
    }

    public CtnetlinkStats(Duration timeout, NetlinkTransport transport) {
        this.timeout = timeout;
        this.transport = transport;
    }

    /**
     * Per-CPU counters summed. Throws {@link NetlinkException} when the kernel has no ctnetlink
     * (socket: EPROTONOSUPPORT) or refuses (EPERM without CAP_NET_ADMIN). An interrupted dump is
     * retried once, then recorded in {@code log}.
     */
    @Override
    public Map<String, Long> read(ParseLog log) throws IOException {
        Map<String, Long> sums = new LinkedHashMap<>();
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_NETFILTER, timeout)) {
            NetlinkDumps.dumpWithRetry(socket, STATS_CPU, new byte[NFGENMSG_SIZE], sums::clear, m -> addCpu(m, sums, log),
                    log, "ctnetlink stats");
        }
        return sums;
    }

    /** The table's entry count and limit (IPCTNL_MSG_CT_GET_STATS), one small request. */
    public TableSize tableSize() throws IOException {
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_NETFILTER, timeout)) {
            return tableSize(socket);
        }
    }

    /** {@link #tableSize()} on a channel already open. */
    static TableSize tableSize(NetlinkTransport.Channel socket) throws IOException {
        TableSize[] found = {new TableSize(-1, -1)};
        socket.request(STATS, new byte[NFGENMSG_SIZE], m -> found[0] = tableSize(m, found[0]));
        return found[0];
    }

    /** Decodes a captured IPCTNL_MSG_CT_GET_STATS reply. */
    public static TableSize decodeTableSize(MemorySegment messages) throws IOException {
        TableSize[] found = {new TableSize(-1, -1)};
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "ctnetlink replay", m -> found[0] = tableSize(m, found[0]));
        return found[0];
    }

    private static TableSize tableSize(MemorySegment m, TableSize otherwise) {
        return NetlinkMessages.type(m) == STATS
                ? new TableSize(be32Attribute(m, CTA_STATS_GLOBAL_ENTRIES), be32Attribute(m, CTA_STATS_GLOBAL_MAX_ENTRIES))
                : otherwise;
    }

    /** Sums concatenated per-CPU stats messages, as captured from a dump. */
    public static Map<String, Long> decodeCpuStats(MemorySegment messages, ParseLog log) throws IOException {
        Map<String, Long> sums = new LinkedHashMap<>();
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "ctnetlink replay", m -> addCpu(m, sums, log));
        return sums;
    }

    private static void addCpu(MemorySegment m, Map<String, Long> sums, ParseLog log) {
        long attrs = NetlinkMessages.HEADER + NFGENMSG_SIZE;
        if (NetlinkMessages.type(m) != STATS_CPU || m.byteSize() < attrs) {
            log.skip("ctnetlink: unexpected message type " + NetlinkMessages.type(m) + ", " + m.byteSize() + " bytes");
            return;
        }
        long end = m.byteSize();
        for (long off = attrs; off + Nlattr.HEADER <= end; ) {
            int len = Nlattr.length(m, off);
            if (len < Nlattr.HEADER || off + len > end) {
                log.skip("ctnetlink: attribute length " + len + " overruns its message");
                return;
            }
            int type = Nlattr.type(m, off);
            if (type < COLUMN_BY_ATTRIBUTE.length && COLUMN_BY_ATTRIBUTE[type] != null && len >= Nlattr.HEADER + 4) {
                sums.merge(COLUMN_BY_ATTRIBUTE[type], Nlattr.be32(m, off + Nlattr.HEADER), Long::sum);
            }
            off += Nlattr.align(len);
        }
    }

    private static long be32Attribute(MemorySegment m, int type) {
        long start = NetlinkMessages.HEADER + NFGENMSG_SIZE;
        long at = RtAttributes.find(m, start, m.byteSize(), type);
        return at == RtAttributes.ABSENT || Nlattr.length(m, at) < Nlattr.HEADER + 4
                ? -1
                : Nlattr.be32(m, at + Nlattr.HEADER);
    }

    /** nf_conntrack_count of this namespace and the global nf_conntrack_max; -1 when not sent. */
    public record TableSize(long entries, long maxEntries) {}
}

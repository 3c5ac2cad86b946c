package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.Source;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;

/**
 * The conntrack table's entries, dumped over ctnetlink (IPCTNL_MSG_CT_GET with NLM_F_DUMP, family
 * AF_UNSPEC: IPv4 and IPv6 in one dump) and aggregated while the reply streams; and the node's NAT
 * port ranges from the nf_tables ruleset, read first so each NAT group is counted against its range.
 * Both need CAP_NET_ADMIN in the namespace's owning user namespace: without it the kernel answers
 * EPERM and this source fails with that reason.
 *
 * <p>Bounded: past {@code entryLimit} entries or {@code timeLimit}, the dump is abandoned (its socket
 * closed) and the result says it is partial, so a huge table cannot stall the scrape.
 */
public final class CtnetlinkDump implements Source<ConntrackEntries> {
    /** Distinct keys per grouping (destinations, sources, NAT groups); the rest are counted as ungrouped. */
    static final int DISTINCT_LIMIT = 16_384;
    private static final int AF_UNSPEC = 0;

    private final Duration timeout;
    private final long entryLimit;
    private final Duration timeLimit;
    private final PortRange flagRange;
    private final NetlinkDumps.Dumper dumper;
    private final RuleReader rules;
    private final NetlinkTransport transport;

    /** Reads the node's source-NAT rules: the nf_tables ruleset, or a replay in tests. */
    @FunctionalInterface
    interface RuleReader {
        List<NatRule> read(ParseLog log) throws IOException;
    }

    /**
     * @param flagRange --collector.conntrack.nat-port-range, or null
     */
    public CtnetlinkDump(Duration timeout, long entryLimit, Duration timeLimit, PortRange flagRange) {
        this(timeout, entryLimit, timeLimit, flagRange, NetlinkTransport.KERNEL);
    }

    public CtnetlinkDump(Duration timeout, long entryLimit, Duration timeLimit, PortRange flagRange,
            NetlinkTransport transport) {
        this(timeout, entryLimit, timeLimit, flagRange, null, new NftNatRules(timeout, transport)::read, transport);
    }

    /** A {@code dumper} replays built bytes in tests; null opens a channel of the transport per read. */
    CtnetlinkDump(Duration timeout, long entryLimit, Duration timeLimit, PortRange flagRange, NetlinkDumps.Dumper dumper,
            RuleReader rules) {
        this(timeout, entryLimit, timeLimit, flagRange, dumper, rules, NetlinkTransport.KERNEL);
    }

    private CtnetlinkDump(Duration timeout, long entryLimit, Duration timeLimit, PortRange flagRange,
            NetlinkDumps.Dumper dumper, RuleReader rules, NetlinkTransport transport) {
        this.transport = transport;
        this.timeout = timeout;
        this.entryLimit = entryLimit;
        this.timeLimit = timeLimit;
        this.flagRange = flagRange;
        this.dumper = dumper;
        this.rules = rules;
    }

    @Override
    public ConntrackEntries read(ParseLog log) throws IOException {
        long start = System.nanoTime();
        NatPorts ports = natPorts(log);
        ConntrackAggregator aggregator = new ConntrackAggregator(ports, DISTINCT_LIMIT, entryLimit,
                start + timeLimit.toNanos(), log);
        String partial = null;
        try {
            if (dumper != null) {
                partial = dump(dumper, aggregator, log);
            } else {
                try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_NETFILTER, timeout)) {
                    if (!tableEmpty(socket)) {
                        partial = dump(socket, aggregator, log);
                    }
                }
            }
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EPERM) {
                throw new IOException("conntrack dump refused (EPERM): needs CAP_NET_ADMIN in the host network namespace", e);
            }
            throw e;
        }
        return aggregator.result(partial);
    }

    /**
     * True only when the kernel says this namespace's table holds no entry (IPCTNL_MSG_CT_GET_STATS,
     * one small request): a dump walks every bucket of the node's table, 262 144 here however few are
     * this namespace's, about a fifth of a small scrape's CPU. A refusal or a kernel that cannot say
     * leaves it to the dump, which fails or answers as before.
     */
    private static boolean tableEmpty(NetlinkTransport.Channel socket) {
        try {
            return CtnetlinkStats.tableSize(socket).entries() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Aggregates a captured IPCTNL_MSG_CT_GET dump (its messages concatenated) as a read would. */
    public static ConntrackEntries decode(MemorySegment messages, NatPorts ports, ParseLog log) throws IOException {
        ConntrackAggregator aggregator = new ConntrackAggregator(ports, DISTINCT_LIMIT, Long.MAX_VALUE,
                System.nanoTime() + Duration.ofDays(1).toNanos(), log); // a replay has no time bound
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "ctnetlink replay", aggregator);
        return aggregator.result(null);
    }

    /** @return why the dump is partial, or null */
    private static String dump(NetlinkDumps.Dumper socket, ConntrackAggregator aggregator, ParseLog log) throws IOException {
        byte[] request = new byte[ConntrackEntry.NFGENMSG_SIZE];
        request[0] = AF_UNSPEC;
        try {
            if (!socket.dump(ConntrackEntry.MSG_GET, request, aggregator).interrupted()) {
                return null;
            }
            // the table changed under the walk: counts may be doubled or missed, so count again once
            aggregator.clear();
            if (!socket.dump(ConntrackEntry.MSG_GET, request, aggregator).interrupted()) {
                return null;
            }
            log.skip("conntrack dump interrupted twice (NLM_F_DUMP_INTR)");
            return "the table changed during two dumps in a row (NLM_F_DUMP_INTR): counts may be off";
        } catch (ConntrackAggregator.Bound b) {
            return b.getMessage();
        }
    }

    private NatPorts natPorts(ParseLog log) {
        try {
            List<NatRule> read = rules.read(log);
            return new NatPorts(flagRange != null ? "flag" : "nftables", read, flagRange, null);
        } catch (IOException e) {
            return new NatPorts(flagRange != null ? "flag" : "default", List.of(), flagRange, e.getMessage());
        }
    }
}

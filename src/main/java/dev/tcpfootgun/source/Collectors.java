package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Slot;
import dev.tcpfootgun.source.FirstOf.Candidate;
import dev.tcpfootgun.source.Scope.Where;
import dev.tcpfootgun.source.netlink.CtnetlinkDump;
import dev.tcpfootgun.source.netlink.CtnetlinkStats;
import dev.tcpfootgun.source.netlink.InetDiagSockets;
import dev.tcpfootgun.source.netlink.RtnetlinkLinks;
import dev.tcpfootgun.source.netlink.RtnetlinkQdiscs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The collector registry: every source, declared once, in the order of footgun_scrape_collector_*
 * and of the start-up line. To add a source: its class, a {@link Slot} for its value, one entry
 * here, its part of the renderer, its tests (README, "Adding a collector").
 */
public final class Collectors {

    private Collectors() {}

    /** How long one netlink reply may take before the read counts as failed. */
    static final Duration NETLINK_TIMEOUT = Duration.ofSeconds(5);

    public static final List<Collector<?>> ALL = List.of(
            new Collector<>(Slot.SOCKETS, true, "TCP sockets: netlink sock_diag, else /proc/net/tcp{,6}", Collectors::sockets),
            new Collector<>(Slot.CONNTRACK, true, "conntrack table size and statistics (/proc/sys/net/netfilter, ctnetlink)",
                    Collectors::conntrack),
            new Collector<>(Slot.NETSTAT, true, "TcpExt and IpExt counters (/proc/net/netstat)", s -> NetstatFile.netstat(s.fs())),
            new Collector<>(Slot.SNMP, true, "Tcp, Icmp, Ip and Udp counters (/proc/net/snmp)", s -> NetstatFile.snmp(s.fs())),
            new Collector<>(Slot.SOCKSTAT, true, "socket counts and memory (/proc/net/sockstat)", s -> new SockstatSource(s.fs())),
            new Collector<>(Slot.SYSCTL, true, "net.* sysctls the footguns depend on (/proc/sys)",
                    s -> s.where() == Where.OUTSIDE ? new Unavailable<>(s.outsideReason()) : new SysctlSource(s.fs())),
            new Collector<>(Slot.INTERFACES, true, "network interfaces: rtnetlink, else /sys/class/net", Collectors::interfaces),
            new Collector<>(Slot.QDISC, true, "root and per-queue qdiscs (rtnetlink)", Collectors::qdiscs),
            new Collector<>(Slot.CONNTRACK_ENTRIES, true, "conntrack table dump for destinations, pods and SNAT ports (ctnetlink)",
                    Collectors::conntrackEntries),
            // the node's own addresses are not a pod's: read only in the other namespaces (--collector.netns)
            new Collector<>(Slot.ADDRESSES, true, "pod IPs of other namespaces (net/fib_trie, net/if_inet6; with --collector.netns)",
                    s -> s.where() == Where.OWN ? null : new NamespaceAddresses(s.fs())));

    public static Optional<Collector<?>> named(String name) {
        return ALL.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * The collectors switched on, as node_exporter decides: an explicit --collector.NAME or
     * --no-collector.NAME wins; otherwise the default, unless --collector.disable-defaults.
     */
    public static List<Collector<?>> enabled(Map<String, Boolean> explicit, boolean disableDefaults) {
        List<Collector<?>> out = new ArrayList<>();
        for (Collector<?> c : ALL) {
            if (explicit.getOrDefault(c.name(), c.enabledByDefault() && !disableDefaults)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Each collector's reader part in one scope. */
    public static List<NodeReader.Part<?>> parts(List<Collector<?>> collectors, Scope scope) {
        List<NodeReader.Part<?>> parts = new ArrayList<>(collectors.size());
        for (Collector<?> c : collectors) {
            NodeReader.Part<?> p = c.part(scope);
            if (p != null) {
                parts.add(p);
            }
        }
        return parts;
    }

    private static Source<dev.tcpfootgun.snapshot.SocketTable> sockets(Scope s) {
        List<Candidate<dev.tcpfootgun.snapshot.SocketTable>> candidates = new ArrayList<>();
        if (s.netlink() && s.where() != Where.OUTSIDE) {
            candidates.add(new Candidate<>("netlink", new InetDiagSockets(NETLINK_TIMEOUT, s.detailLimit(), s.transport())));
        }
        if (s.procfsSockets() || s.where() == Where.OUTSIDE) {
            // another namespace's files skip what its sockstat says is empty: each read walks the node's whole table
            candidates.add(new Candidate<>("procfs", s.where() == Where.OWN ? new ProcNetTcp(s.fs(), s.detailLimit())
                    : ProcNetTcp.skippingEmpty(s.fs(), s.detailLimit())));
        }
        return new FirstOf<>(candidates);
    }

    private static Source<dev.tcpfootgun.snapshot.Conntrack> conntrack(Scope s) {
        if (s.where() == Where.OUTSIDE) {
            return new Unavailable<>(s.outsideReason());
        }
        return s.netlink() ? new ConntrackWithNetlinkStats(new ConntrackSource(s.fs()), new CtnetlinkStats(NETLINK_TIMEOUT, s.transport()))
                : new ConntrackSource(s.fs());
    }

    private static Source<List<dev.tcpfootgun.snapshot.NetInterface>> interfaces(Scope s) {
        return switch (s.where()) {
            case OUTSIDE -> new Unavailable<>(s.outsideReason());
            // sysfs shows the namespace that mounted it, not the one entered
            case ENTERED -> s.netlink() ? new RtnetlinkLinks(NETLINK_TIMEOUT, s.transport())
                    : new Unavailable<>("links of another namespace need rtnetlink from inside it");
            case OWN -> s.netlink()
                    ? new FirstOf<>(List.of(new Candidate<>("rtnetlink", new RtnetlinkLinks(NETLINK_TIMEOUT, s.transport())),
                            new Candidate<>("sysfs", new SysfsInterfaces(s.fs()))))
                    : new SysfsInterfaces(s.fs());
        };
    }

    /**
     * The conntrack dump, in the exporter's own namespace only (a pod's table is the host's when it
     * shares the host network, and other namespaces' NAT is seen from the node's), and only over netlink.
     */
    private static Source<dev.tcpfootgun.snapshot.ConntrackEntries> conntrackEntries(Scope s) {
        if (s.where() != Where.OWN || !s.netlink()) {
            return null;
        }
        return new CtnetlinkDump(NETLINK_TIMEOUT, s.dump().entryLimit(), s.dump().timeLimit(), s.dump().natPortRange(),
                s.transport());
    }

    private static Source<List<dev.tcpfootgun.snapshot.Qdisc>> qdiscs(Scope s) {
        if (s.where() == Where.OUTSIDE) {
            return new Unavailable<>(s.outsideReason());
        }
        return s.netlink() ? new RtnetlinkQdiscs(NETLINK_TIMEOUT, s.transport())
                : new Unavailable<>("qdiscs need rtnetlink, off with --collector.sockets.source=procfs");
    }
}

package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Slot;
import dev.tcpfootgun.snapshot.SocketOrigin;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.SocketMemory;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/** Builds snapshots in code for check tests: only what a test sets is there, the rest failed. */
final class Snapshots {
    private final List<TcpSocket> sockets = new ArrayList<>();
    private final Map<String, String> sysctls = new HashMap<>();
    private final Map<String, String> unreadSysctls = new HashMap<>();
    private final Map<String, Double> netstat = new HashMap<>();
    private final Map<String, Double> snmp = new HashMap<>();
    private List<NetInterface> interfaces;
    private List<Qdisc> qdiscs;
    private Conntrack conntrack;
    private dev.tcpfootgun.snapshot.Reading<dev.tcpfootgun.snapshot.ConntrackEntries> conntrackEntries;
    private Sockstat sockstat;
    private boolean socketsFail;
    private final Set<String> failing = new HashSet<>();
    private final Map<String, Reading<?>> given = new HashMap<>();
    private final Set<String> off = new HashSet<>();
    private int detailLimit = SocketTable.UNLIMITED;
    private SocketOrigin socketOrigin = SocketOrigin.PROCFS;
    private long nanos;

    static Snapshots node() {
        return new Snapshots();
    }

    /** A sysctl the source looked for and could not read, with the source's reason. */
    Snapshots sysctlUnread(String name, String reason) {
        sysctls.remove(name);
        unreadSysctls.put(name, reason);
        return this;
    }

    Snapshots sysctl(String name, String value) {
        sysctls.put(name, value);
        return this;
    }

    Snapshots netstat(String key, double value) {
        netstat.put(key, value);
        return this;
    }

    /** A /proc/net/snmp counter, keyed "Section.Field" ("Icmp.InDestUnreachs"). */
    Snapshots snmp(String key, double value) {
        snmp.put(key, value);
        return this;
    }

    /** One interface; the interfaces reading succeeds once any is added (or {@link #noInterfaces}). */
    Snapshots link(String name, int ifindex, long mtu, String kind, boolean up) {
        if (interfaces == null) {
            interfaces = new ArrayList<>();
        }
        interfaces.add(new NetInterface(name, ifindex, mtu, kind, up));
        return this;
    }

    Snapshots noInterfaces() {
        interfaces = new ArrayList<>();
        return this;
    }

    /** One qdisc; the qdisc reading succeeds once any is added. */
    Snapshots qdisc(int ifindex, long handle, long parent, String kind) {
        if (qdiscs == null) {
            qdiscs = new ArrayList<>();
        }
        qdiscs.add(new Qdisc(ifindex, handle, parent, kind));
        return this;
    }

    Snapshots conntrack(Conntrack c) {
        conntrack = c;
        return this;
    }

    /** The conntrack dump's aggregates (its reading is absent, the collector off, unless set). */
    Snapshots conntrackEntries(dev.tcpfootgun.snapshot.ConntrackEntries ce) {
        conntrackEntries = Reading.ok("conntrack_entries", ce, 0, 0);
        return this;
    }

    Snapshots conntrackEntriesFail(String why) {
        conntrackEntries = Reading.failed("conntrack_entries", why, 0);
        return this;
    }

    Snapshots timeWaitCount(long tw) {
        sockstat = new Sockstat(Map.of("TCP", Map.of("tw", tw)));
        return this;
    }

    /** Connections past this many are only counted, as --collector.sockets.detail-limit does. */
    Snapshots detailLimit(int limit) {
        detailLimit = limit;
        return this;
    }

    Snapshots socketsFail() {
        socketsFail = true;
        return this;
    }

    /** Any slot's value, read successfully: how a test sets a new collector's reading. */
    <T> Snapshots reading(Slot<T> slot, T value) {
        given.put(slot.name(), Reading.ok(slot.name(), value, 0, 0));
        return this;
    }

    /** This collector switched off (--no-collector.NAME): no reading at all. */
    Snapshots off(String collector) {
        off.add(collector);
        return this;
    }

    /** This collector's reading fails with "injected failure of COLLECTOR", whatever the test set for it. */
    Snapshots fail(String collector) {
        failing.add(collector);
        return this;
    }

    Snapshots at(long seconds) {
        nanos = seconds * 1_000_000_000L;
        return this;
    }

    /** {@code n} client sockets from src to dst:port in {@code state}, local ports from {@code firstPort} up. */
    Snapshots clients(String src, String dst, int port, TcpState state, int firstPort, int n, long timerMillis) {
        for (int i = 0; i < n; i++) {
            sockets.add(new TcpSocket(Family.INET, state, new Endpoint(src, firstPort + i), new Endpoint(dst, port),
                    0, 0, state == TcpState.TIME_WAIT ? TcpSocket.TIMER_TIME_WAIT : 0, timerMillis, 0, null, null, null));
        }
        return this;
    }

    /** {@link #clients}, on every other port from {@code firstPort}: connect() scans one parity of the range first. */
    Snapshots connected(String src, String dst, int port, TcpState state, int firstPort, int n, long timerMillis) {
        for (int i = 0; i < n; i++) {
            clients(src, dst, port, state, firstPort + 2 * i, 1, timerMillis);
        }
        return this;
    }

    /** Sockets came from netlink sock_diag (the default is procfs, which has no tcp_info). */
    Snapshots netlink() {
        socketOrigin = SocketOrigin.NETLINK;
        return this;
    }

    /** An established connection with tcp_info and socket memory (either may be null). */
    Snapshots connection(String src, int srcPort, String dst, int dstPort, TcpInfo info, SocketMemory memory) {
        return connection(src, srcPort, dst, dstPort, TcpSocket.TIMER_NONE, 0, info, memory);
    }

    /** An established connection with a kernel timer pending ({@code count}: retransmits or unanswered probes). */
    Snapshots connection(String src, int srcPort, String dst, int dstPort, int timer, int count, TcpInfo info, SocketMemory memory) {
        sockets.add(new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint(src, srcPort), new Endpoint(dst, dstPort),
                0, 0, timer, 1000, count, info, info == null ? null : "cubic", memory));
        return this;
    }

    /** A listening socket: for a listener the kernel reports the accept queue as rx and the backlog as tx. */
    Snapshots listener(String ip, int port, long queued, long backlog) {
        sockets.add(new TcpSocket(Family.INET, TcpState.LISTEN, new Endpoint(ip, port), new Endpoint("0.0.0.0", 0),
                backlog, queued, 0, 0, 0, null, null, null));
        return this;
    }

    /** Socket memory with these receive and send buffer sizes. */
    static SocketMemory buffers(long rcvBuf, long sndBuf) {
        return new SocketMemory(rcvBuf, sndBuf);
    }

    Snapshots socket(TcpSocket s) {
        sockets.add(s);
        return this;
    }

    private SocketTable table() {
        SocketTable.Builder b = new SocketTable.Builder(0, 0, detailLimit);
        sockets.forEach(b::add);
        return b.build();
    }

    /**
     * The snapshot, one reading per collector of the registry: what the test set, the rest failed as
     * a kernel without them would leave them (netstat and snmp answer, with only the counters set).
     */
    NodeSnapshot build() {
        Map<String, Reading<?>> set = new HashMap<>();
        set.put(Slot.SOCKETS.name(), socketsFail ? Reading.failed("sockets", "refused", 0)
                : Reading.ok("sockets", table().servedBy(socketOrigin), 0, 0));
        set.put(Slot.NETSTAT.name(), Reading.ok("netstat", new KernelCounters(netstat), 0, 0));
        set.put(Slot.SNMP.name(), Reading.ok("snmp", new KernelCounters(snmp), 0, 0));
        if (conntrack != null) {
            set.put(Slot.CONNTRACK.name(), Reading.ok("conntrack", conntrack, 0, 0));
        }
        if (sockstat != null) {
            set.put(Slot.SOCKSTAT.name(), Reading.ok("sockstat", sockstat, 0, 0));
        }
        if (!sysctls.isEmpty() || !unreadSysctls.isEmpty()) {
            set.put(Slot.SYSCTL.name(), Reading.ok("sysctl", new Sysctls(sysctls, unreadSysctls), 0, 0));
        }
        if (interfaces != null) {
            set.put(Slot.INTERFACES.name(), Reading.ok("interfaces", List.copyOf(interfaces), 0, 0));
        }
        if (qdiscs != null) {
            set.put(Slot.QDISC.name(), Reading.ok("qdisc", List.copyOf(qdiscs), 0, 0));
        }
        if (conntrackEntries != null) {
            set.put(Slot.CONNTRACK_ENTRIES.name(), conntrackEntries);
        }
        set.putAll(given);
        List<Reading<?>> readings = new ArrayList<>();
        for (Collector<?> c : Collectors.ALL) {
            String name = c.name();
            // the node's own reader has no addresses collector (a pod's namespace reader has): as read, unless set
            if (off.contains(name) || name.equals(Slot.ADDRESSES.name()) && !set.containsKey(name) && !failing.contains(name)) {
                continue;
            }
            readings.add(failing.contains(name) ? Reading.failed(name, "injected failure of " + name, 0)
                    : set.getOrDefault(name, Reading.failed(name, name + " missing in this test", 0)));
        }
        return NodeSnapshot.of(nanos, readings);
    }

    static Observation observe(NodeSnapshot now, NodeSnapshot previous) {
        return new Observation(now, previous);
    }
}

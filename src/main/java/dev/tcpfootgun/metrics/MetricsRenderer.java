package dev.tcpfootgun.metrics;

import dev.tcpfootgun.BuildInfo;
import dev.tcpfootgun.footgun.EgressQdisc;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.KernelFacts;
import dev.tcpfootgun.footgun.SocketCensus;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpState;
import dev.tcpfootgun.source.PageSize;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns one assessment into the metric families of one scrape. Reads nothing itself. */
public final class MetricsRenderer {

    static final String OTHER = "other";

    /** The verdict StateSet; its state label has the family's name, as OpenMetrics has it. */
    public static final String FINDING_STATUS = "footgun_finding_status";

    /** Every verdict a finding can have, from the enum, so a new status is a new state without an edit here. */
    static final List<String> STATES = java.util.Arrays.stream(Status.values()).map(Status::label).toList();

    /** Sysctls whose value is text; the rest are numbers or lists of numbers. */
    static final Set<String> TEXT_SYSCTLS = Set.of(
            "net.ipv4.tcp_congestion_control", "net.ipv4.tcp_available_congestion_control",
            "net.core.default_qdisc", "net.ipv4.ip_local_reserved_ports");

    /** Label values for the parts of list-valued sysctls. */
    static final Map<String, List<String>> SYSCTL_FIELDS = Map.of(
            "net.ipv4.ip_local_port_range", List.of("low", "high"),
            "net.ipv4.tcp_rmem", List.of("min", "default", "max"),
            "net.ipv4.tcp_wmem", List.of("min", "default", "max"),
            "net.ipv4.tcp_mem", List.of("low", "pressure", "high"));

    /** Compiled once: String.replaceAll compiles its regex on every call, a few hundred times a scrape. */
    private static final Pattern NOT_COLUMN_CHAR = Pattern.compile("[^a-z0-9_]");
    private static final Pattern NOT_WORD_CHAR = Pattern.compile("[^a-z0-9]");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** A conntrack column's metric name and help, made once: the same 16 columns every scrape (a kernel naming hundreds is refused anyway). */
    private static final Map<String, String[]> CONNTRACK_NAMED = new java.util.concurrent.ConcurrentHashMap<>();
    /** The same for sockstat's fields (per protocol) and the sysctls: names and helps made once, not concatenated every scrape. */
    private static final Map<String, Map<String, String[]>> SOCKSTAT_NAMED = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, String[]> SYSCTL_NAMED = new java.util.concurrent.ConcurrentHashMap<>();

    private final String version;
    private final int netnsTop;
    /** --destinations.top: destinations with series of their own; no check reads it. */
    private final int destinationsTop;
    private final DestinationLabels labels;
    private final RenderRefusals refusals = new RenderRefusals();
    /** Interfaces left out of the interface series (pods' veths churn with pods); the checks judged them all. */
    private final Pattern ignoredDevices;
    /** The parts whose input is usually the same scrape after scrape: their families made again only when it is not. */
    private final Families.Memo<Conntrack> conntrackMade = new Families.Memo<>(MetricsRenderer::sameConntrack);
    private final Families.Memo<Sysctls> sysctlsMade = new Families.Memo<>((x, y) -> x.values().equals(y.values()));
    private final Families.Memo<InterfacesInput> interfacesMade = new Families.Memo<>(MetricsRenderer::sameInterfaces);

    /** What the interface families are made of. */
    private record InterfacesInput(List<NetInterface> shown, Map<Integer, EgressQdisc> qdiscs) {}

    /** Whether conntrack() makes the same families of both: the fields it reads. */
    static boolean sameConntrack(Conntrack x, Conntrack y) {
        return x.count() == y.count() && x.max().equals(y.max()) && x.buckets().equals(y.buckets())
                && x.timeWaitTimeoutSeconds().equals(y.timeWaitTimeoutSeconds()) && x.statsOrigin() == y.statsOrigin()
                && x.stats().equals(y.stats());
    }

    /** Whether interfaces() makes the same families of both: the fields it reads, of each interface and qdisc. */
    private static boolean sameInterfaces(InterfacesInput x, InterfacesInput y) {
        if (x.shown().size() != y.shown().size() || (x.qdiscs() == null) != (y.qdiscs() == null)
                || x.qdiscs() != null && x.qdiscs().size() != y.qdiscs().size()) {
            return false;
        }
        for (int i = 0; i < x.shown().size(); i++) {
            NetInterface a = x.shown().get(i);
            NetInterface b = y.shown().get(i);
            if (a.ifindex() != b.ifindex() || a.mtu() != b.mtu() || a.operUp() != b.operUp() || !a.name().equals(b.name())
                    || !java.util.Objects.equals(a.kind(), b.kind())) {
                return false;
            }
        }
        if (x.qdiscs() != null) {
            for (Map.Entry<Integer, EgressQdisc> e : x.qdiscs().entrySet()) {
                EgressQdisc q = y.qdiscs().get(e.getKey());
                if (q == null || !java.util.Objects.equals(e.getValue().root(), q.root()) || !e.getValue().queues().equals(q.queues())) {
                    return false;
                }
            }
        }
        return true;
    }

    public MetricsRenderer(String version, int netnsTop, int destinationsTop, DestinationLabels labels, Pattern ignoredDevices) {
        this.version = version;
        this.netnsTop = netnsTop;
        this.destinationsTop = destinationsTop;
        this.labels = labels;
        this.ignoredDevices = ignoredDevices;
    }

    public MetricSnapshots render(Assessment a) {
        Families f = new Families();
        NodeSnapshot s = a.snapshot();
        BuildInfo build = BuildInfo.current();
        f.info("footgun_build", "Build of the exporter; the value is always 1.",
                "version", version, "revision", build.revision(), "branch", build.branch(),
                "java_version", BuildInfo.javaVersion());
        f.counter("footgun_scrape_reads", "Times the exporter read the kernel since start; concurrent scrapes share one read.")
                .set(a.reads()).add();
        findings(f, a.findings());
        // conntrack's statistics and sockstat's protocols name their own metrics: checked before they are shown
        s.conntrack().value().ifPresent(ct -> f.fromKernelText(s.conntrack().collector(), k -> k.memo(conntrackMade, ct, m -> conntrack(m, ct))));
        s.conntrackEntries().value().ifPresent(ce -> ConntrackFamilies.render(f, ce, s.conntrack().value().orElse(null),
                destinationsTop, labels, a.observation().podsByAddress()));
        s.sockets().value().ifPresent(table -> {
            f.info("footgun_socket_source", "Which source served the socket list: netlink (sock_diag) or procfs (/proc/net/tcp{,6}).",
                    "source", table.origin().name());
            sockets(f, a.observation().census(), shownDestinations(), labels);
            f.gauge("footgun_tcp_sockets_undetailed",
                    "Connections of this read counted without tcp_info, past --collector.sockets.detail-limit; the checks "
                            + "that need tcp_info judged the others.")
                    .set(table.undetailed()).add();
            TcpInfoFamilies.render(f, table.detailed(), a.observation().rangedPeers(), shownDestinations(), labels);
            ListenerFamilies.render(f, table.detailed().listeners(), s.sysctls().value().orElse(null), shownDestinations(), labels);
        });
        s.netstat().value().ifPresent(c -> kernelCounters(f, c, "TcpExt", "IpExt", "MPTcpExt"));
        s.snmp().value().ifPresent(c -> kernelCounters(f, c, "Tcp", "Icmp", "IcmpMsg", "Ip", "Udp"));
        s.sockstat().value().ifPresent(st -> f.fromKernelText(s.sockstat().collector(), k -> sockstat(k, st)));
        s.sysctls().value().ifPresent(sc -> f.memo(sysctlsMade, sc, m -> sysctls(m, sc)));
        s.interfaces().value().ifPresent(list -> {
            InterfacesInput in = new InterfacesInput(shownInterfaces(list), a.observation().egressQdiscs().orElse(null));
            f.memo(interfacesMade, in, m -> interfaces(m, in.shown(), in.qdiscs()));
        });
        if (!a.namespaces().isEmpty()) {
            NamespaceFamilies.render(f, a, netnsTop, shownDestinations(), labels);
        }
        Families.Resolved shown = f.resolve();
        refusals.note(shown.refused(), shown.leftOut());
        Families health = new Families();
        collectorHealth(health, s, a.parseErrorTotals(), shown.refused());
        List<MetricSnapshot> all = new ArrayList<>(shown.snapshots());
        all.addAll(health.resolve().snapshots());
        return new MetricSnapshots(inNameOrder(all));
    }

    /**
     * The last scrape's family names and where each came in
     * client_java's name order: a scrape of the same families gives them in that order, so
     * MetricSnapshots' own sort by name (2 % of a 1k scrape under C1) finds them sorted.
     */
    private record NameOrder(String[] given, int[] order) {}

    private static volatile NameOrder lastOrder;

    private static boolean sameFamilies(String[] a, String[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!a[i].equals(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static List<MetricSnapshot> inNameOrder(List<MetricSnapshot> all) {
        String[] given = new String[all.size()];
        for (int i = 0; i < given.length; i++) {
            given[i] = all.get(i).getMetadata().getPrometheusName();
        }
        NameOrder last = lastOrder;
        int[] order;
        if (last != null && sameFamilies(last.given(), given)) {
            order = last.order();
        } else {
            order = java.util.stream.IntStream.range(0, given.length).boxed()
                    .sorted(java.util.Comparator.comparing(i -> given[i]))
                    .mapToInt(Integer::intValue).toArray();
            lastOrder = new NameOrder(given, order);
        }
        List<MetricSnapshot> sorted = new ArrayList<>(order.length);
        for (int i : order) {
            sorted.add(all.get(i));
        }
        return sorted;
    }

    private List<NetInterface> shownInterfaces(List<NetInterface> all) {
        List<NetInterface> shown = new ArrayList<>(all.size());
        for (NetInterface i : all) {
            if (!ignoredDevices.matcher(i.name()).find()) {
                shown.add(i);
            }
        }
        return shown;
    }

    /** The direction label of a series keyed by a connection's server end. */
    static String direction(boolean inbound) {
        return inbound ? "inbound" : "outbound";
    }

    /** With --destinations.labels=drop no destination gets its own series: all sum into "other"; risks still see them all. */
    private int shownDestinations() {
        return labels.perDestinationSeries() ? destinationsTop : 0;
    }

    /** @param refused collectors whose metrics named from kernel text could not be shown: failed in this scrape */
    private static void collectorHealth(Families f, NodeSnapshot s, Map<String, Long> parseErrors, Map<String, String> refused) {
        var success = f.gauge("footgun_scrape_collector_success", "Whether a collector succeeded in this scrape (1) or failed (0).");
        var duration = f.gauge("footgun_scrape_collector_duration_seconds", "Time a collector took in this scrape.");
        for (Reading<?> r : s.readings()) {
            success.set(r.success() && !refused.containsKey(r.collector()) ? 1 : 0, "collector", r.collector());
            duration.set(r.seconds(), "collector", r.collector());
        }
        success.add();
        duration.add();
        var errors = f.counter("footgun_parse_errors", "Lines or messages a source could not parse and skipped, since start.");
        parseErrors.forEach((source, n) -> errors.set(n, "source", source));
        errors.add();
    }

    private static void findings(Families f, List<Finding> findings) {
        var risk = f.gauge("footgun_risk_ratio",
                "Risk of each footgun on this node: 0 fine, 0.3 advice (configuration only), 0.5 warn, 0.8 critical (measured), 1 failing now. Absent when the data is unavailable.");
        var status = f.stateSet(FINDING_STATUS, "Verdict of each footgun check: 1 for the state that holds ("
                + String.join(", ", STATES) + "), 0 for the others.");
        for (Finding x : findings) {
            if (x.status() != Status.UNKNOWN) {
                risk.set(x.risk(), "footgun", x.footgun().id());
            }
            status.set(STATES, x.status().label(), "footgun", x.footgun().id());
        }
        risk.add();
        status.add();
    }

    private static void conntrack(Families f, Conntrack ct) {
        f.gauge("footgun_conntrack_entries", "Entries in this network namespace's conntrack table (nf_conntrack_count; per namespace).")
                .set(ct.count()).add();
        ct.max().ifPresent(v -> f.gauge("footgun_conntrack_entries_limit",
                "Maximum conntrack entries (nf_conntrack_max; one limit for the whole host).").set(v).add());
        ct.buckets().ifPresent(v -> f.gauge("footgun_conntrack_buckets", "Conntrack hash table buckets (nf_conntrack_buckets).")
                .set(v).add());
        ct.timeWaitTimeoutSeconds().ifPresent(v -> f.gauge("footgun_conntrack_tcp_timeout_time_wait_seconds",
                "How long conntrack keeps entries of TCP connections in TIME_WAIT (nf_conntrack_tcp_timeout_time_wait).").set(v).add());
        f.info("footgun_conntrack_stats_source", "Where conntrack statistics came from: procfs, netlink, or none (drops unknown).",
                "source", ct.statsOrigin().label());
        ct.stats().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String[] named = CONNTRACK_NAMED.get(e.getKey());
            if (named == null) {
                String column = NOT_COLUMN_CHAR.matcher(e.getKey().toLowerCase(Locale.ROOT)).replaceAll("_");
                named = new String[] {"footgun_conntrack_" + column, "Conntrack statistic " + e.getKey() + ", summed over CPUs."};
                if (CONNTRACK_NAMED.size() < Families.MAX_KERNEL_NAMED) {
                    CONNTRACK_NAMED.put(e.getKey(), named);
                }
            }
            f.counter(named[0], named[1]).set(e.getValue()).add();
        });
    }

    private static void sockets(Families f, SocketCensus census, int top, DestinationLabels labels) {
        var states = f.gauge("footgun_tcp_sockets", "TCP sockets by address family and state.");
        for (Family family : Family.values()) {
            for (TcpState state : TcpState.values()) {
                int n = census.count(family, state);
                if (state != TcpState.UNKNOWN || n > 0) {
                    states.set(n, "family", family.label(), "state", state.label());
                }
            }
        }
        states.add();

        var tw = f.gauge("footgun_tcp_time_wait_sockets",
                "TIME_WAIT sockets per server end: the destination of outbound connections, the local listener of inbound ones "
                        + "(direction=\"inbound\": its clients'); the top ones by count, the rest summed in dst_ip=\"other\".");
        TopK<SocketCensus.DestinationCount> timeWait = TopK.of(census.timeWait(), top);
        for (var d : timeWait.top()) {
            tw.set(d.count(), "direction", direction(d.inbound()), "dst_ip", labels.address(d.dstIp()),
                    "dst_port", Integer.toString(d.dstPort()));
        }
        tw.set(timeWait.restSum(SocketCensus.DestinationCount::count), "direction", OTHER, "dst_ip", OTHER, "dst_port", OTHER).add();

        EphemeralPorts ports = census.ports();
        if (ports == null) {
            return;
        }
        f.gauge("footgun_ephemeral_ports_usable", "Ports connect() may pick: ip_local_port_range minus ip_local_reserved_ports.")
                .set(ports.usable()).add();
        f.gauge("footgun_ephemeral_ports_reserved", "Ports of ip_local_port_range listed in ip_local_reserved_ports.")
                .set(ports.reservedInRange()).add();
        var inUse = f.gauge("footgun_ephemeral_ports_in_use",
                "Sockets in any state whose local port came from the ephemeral range, per local address and destination; top groups, the rest in \"other\".");
        var headroom = f.gauge("footgun_ephemeral_port_headroom_connections_per_second",
                "New connections per second a destination group can still sustain: free ports / " + KernelFacts.TIME_WAIT_SECONDS + " s TIME_WAIT.");
        var churn = f.gauge("footgun_ephemeral_port_churn_connections_per_second",
                "Current rate of new connections to a destination group, estimated as its TIME_WAIT sockets / " + KernelFacts.TIME_WAIT_SECONDS + " s.");
        TopK<SocketCensus.PortGroup> groups = TopK.of(census.portGroups(), top);
        for (var g : groups.top()) {
            String[] group = {"src_ip", labels.address(g.srcIp()), "dst_ip", labels.address(g.dstIp()),
                "dst_port", Integer.toString(g.dstPort())};
            inUse.set(g.inUse(), group);
            headroom.set(g.headroomPerSecond(), group);
            churn.set(g.timeWait() / (double) KernelFacts.TIME_WAIT_SECONDS, group);
        }
        inUse.set(groups.restSum(SocketCensus.PortGroup::inUse), "src_ip", OTHER, "dst_ip", OTHER, "dst_port", OTHER).add();
        headroom.add();
        churn.add();
    }

    private static void kernelCounters(Families f, KernelCounters counters, String... sections) {
        Set<String> mine = Set.of(sections);
        for (int i = 0; i < KernelCounterCatalog.ENTRIES.size(); i++) {
            KernelCounterCatalog.Entry e = KernelCounterCatalog.ENTRIES.get(i);
            if (!mine.contains(e.section())) {
                continue;
            }
            OptionalDouble v = counters.get(e.section(), e.field());
            if (v.isEmpty()) {
                continue;
            }
            String help = KernelCounterCatalog.SHOWN_HELP.get(i);
            if (e.gauge()) {
                f.gauge(e.metric(), help).set(v.getAsDouble()).add();
            } else if (v.getAsDouble() >= 0) {
                f.counter(e.metric(), help).set(v.getAsDouble()).add();
            }
        }
    }

    /**
     * Every /proc/net/sockstat{,6} field as a gauge. "mem" counts pages, so it is given as _mem_pages
     * and, times the kernel's page size, as _mem_bytes (node_exporter gives both); FRAG's "memory" is
     * bytes already and is named so.
     */
    private static void sockstat(Families f, Sockstat st) {
        for (String protocolName : sortedKeys(st.protocols())) {
            Map<String, Long> fields = st.protocols().get(protocolName);
            Map<String, String[]> named = SOCKSTAT_NAMED.get(protocolName);
            if (named == null) {
                named = new java.util.concurrent.ConcurrentHashMap<>();
                if (SOCKSTAT_NAMED.size() < Families.MAX_KERNEL_NAMED) {
                    SOCKSTAT_NAMED.put(protocolName, named);
                }
            }
            for (String field : sortedKeys(fields)) {
                long value = fields.get(field);
                String[] n = named.get(field);
                if (n == null) {
                    n = sockstatNamed(protocolName, field);
                    if (named.size() < Families.MAX_KERNEL_NAMED) {
                        named.put(field, n);
                    }
                }
                f.gauge(n[1], n[2]).set(value).add();
                if (n[0].equals("mem")) {
                    f.gauge(n[3], n[4]).set(value * (double) PageSize.bytes()).add();
                }
            }
        }
    }

    /** A map's keys in String order, as Map.Entry.comparingByKey sorts them: a plain array sort, no stream. */
    private static String[] sortedKeys(Map<String, ?> map) {
        String[] keys = map.keySet().toArray(new String[0]);
        Arrays.sort(keys);
        return keys;
    }

    /** A sockstat field's kind ("mem" or other) and its families' names and helps, made once per protocol and field. */
    private static String[] sockstatNamed(String protocol, String field) {
        String proto = NOT_WORD_CHAR.matcher(protocol.toLowerCase(Locale.ROOT)).replaceAll("_");
        String name = NOT_WORD_CHAR.matcher(field.toLowerCase(Locale.ROOT)).replaceAll("_");
        String help = "/proc/net/sockstat " + protocol + " " + field;
        String metric = "footgun_sockstat_" + proto + "_";
        return switch (name) {
            case "mem" -> new String[] {"mem", metric + "mem_pages", help + ", in pages.", metric + "mem_bytes",
                help + ", in bytes (pages times the kernel's page size, " + PageSize.bytes() + ")."};
            case "memory" -> new String[] {"memory", metric + "memory_bytes", help + ", in bytes."};
            default -> new String[] {"other", metric + name, help + "."};
        };
    }

    private static void sysctls(Families f, Sysctls sc) {
        var info = f.infos("footgun_sysctl_info", "Text-valued sysctls the footguns depend on; the value is always 1.");
        sc.values().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            String name = e.getKey();
            if (TEXT_SYSCTLS.contains(name)) {
                info.set("name", name, "value", SPACES.matcher(e.getValue().trim()).replaceAll(" "));
                return;
            }
            String[] named = SYSCTL_NAMED.get(name);
            if (named == null) {
                named = new String[] {"footgun_sysctl_" + name.replace('.', '_'), "sysctl " + name + "."};
                if (SYSCTL_NAMED.size() < Families.MAX_KERNEL_NAMED) {
                    SYSCTL_NAMED.put(name, named);
                }
            }
            String metric = named[0];
            String help = named[1];
            sc.numbers(name).ifPresent(values -> {
                if (values.length == 1) {
                    f.gauge(metric, help).set(values[0]).add();
                    return;
                }
                List<String> fields = SYSCTL_FIELDS.get(name);
                var g = f.gauge(metric, help);
                for (int i = 0; i < values.length; i++) {
                    g.set(values[i], "field", fields != null && i < fields.size() ? fields.get(i) : Integer.toString(i));
                }
                g.add();
            });
        });
        info.add();
    }

    /** @param qdiscs each interface's egress qdisc as bbr_without_fq judged it; null when the qdiscs could not be read */
    private static void interfaces(Families f, List<NetInterface> list, Map<Integer, EgressQdisc> qdiscs) {
        var mtu = f.gauge("footgun_network_mtu_bytes", "MTU of each network interface.");
        var info = f.infos("footgun_network_info",
                "Kind, root qdisc and the kinds of its children (mq's per-queue qdiscs) of each network interface; the value is always 1.");
        for (NetInterface i : list) {
            String kind = i.kind() == null ? "unknown" : i.kind();
            mtu.set(i.mtu(), "device", i.name(), "kind", kind);
            EgressQdisc q = qdiscs == null ? null : qdiscs.getOrDefault(i.ifindex(), EgressQdisc.NONE);
            info.set("device", i.name(), "kind", kind, "root_qdisc", q == null ? "unknown" : q.root() == null ? "none" : q.root(),
                    "child_qdiscs", q == null ? "" : q.queueKinds(),
                    "operstate", i.operUp() ? "up" : "down");
        }
        mtu.add();
        info.add();
    }
}

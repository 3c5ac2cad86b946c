package dev.tcpfootgun.metrics;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.SocketCensus;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.Pod;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.NamespaceAssessment;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Per-network-namespace families (--collector.netns): series only for the top namespaces by risk
 * and socket count, the rest summed into netns="other", so cardinality does not grow with pods.
 * Pod names are on footgun_netns_info; join on netns.
 */
final class NamespaceFamilies {

    private NamespaceFamilies() {}

    static void render(Families f, Assessment a, int netnsTop, int destinationsTop, DestinationLabels labels) {
        List<NamespaceAssessment> ranked = new ArrayList<>(a.namespaces());
        ranked.sort(Comparator.comparingDouble(NamespaceAssessment::maxRisk).reversed()
                .thenComparing(Comparator.comparingInt(NamespaceFamilies::sockets).reversed())
                .thenComparing(ns -> ns.ref().label()));
        f.gauge("footgun_netns_namespaces", "Network namespaces found on the node and read in this scrape.").set(ranked.size()).add();

        var info = f.infos("footgun_netns_info", "A network namespace with its own series, the pod that owns it, its addresses "
                + "(pod_ips) and how it was read (access: own, setns, or procfs: its /proc/PID/net files alone); the value is always 1.");
        var risk = f.gauge("footgun_netns_risk_ratio", "Risk of each footgun in each network namespace (0 fine, 0.3 advice, 0.5 warn, 0.8 critical).");
        var states = f.gauge("footgun_netns_tcp_sockets", "TCP sockets per network namespace and state.");
        var tw = f.gauge("footgun_netns_tcp_time_wait_sockets", "TIME_WAIT sockets per network namespace and destination.");
        var ports = f.gauge("footgun_netns_ephemeral_ports_in_use",
                "Sockets on ephemeral ports per network namespace, local address and destination.");
        var conntrack = f.gauge("footgun_netns_conntrack_entries",
                "Conntrack entries of each network namespace: the count is per namespace, the limit (footgun_conntrack_entries_limit) is global.");
        var success = f.gauge("footgun_netns_scrape_collector_success", "Whether a source could be read in a network namespace.");
        var tcpInfo = f.gauge("footgun_netns_tcp_info_sockets",
                "Connections of each network namespace read with their tcp_info: only a namespace read through setns (access=\"setns\") or the exporter's own has any.");

        Map<TcpState, Integer> otherStates = new EnumMap<>(TcpState.class);
        long otherTw = 0;
        long otherPorts = 0;
        long otherConntrack = 0;
        long otherTcpInfo = 0;
        double[] otherRisk = null;
        TopK<NamespaceAssessment> shown = TopK.of(ranked, netnsTop);
        boolean others = shown.hasRest();
        for (NamespaceAssessment ns : shown.rest()) {
            SocketCensus census = ns.observation().census();
            var ct = ns.observation().now().conntrack().value().orElse(null);
            if (census != null) {
                for (TcpState s : TcpState.values()) {
                    otherStates.merge(s, census.count(s), Integer::sum);
                }
                otherTw += census.timeWait().stream().mapToLong(SocketCensus.DestinationCount::count).sum();
                otherPorts += census.portGroups().stream().mapToLong(SocketCensus.PortGroup::inUse).sum();
            }
            if (ct != null) {
                otherConntrack += ct.count();
            }
            otherRisk = maxRisks(otherRisk, ns.findings());
            otherTcpInfo += ns.tcpInfoSockets();
        }
        for (NamespaceAssessment ns : shown.top()) {
            SocketCensus census = ns.observation().census();
            var ct = ns.observation().now().conntrack().value().orElse(null);
            String netns = ns.ref().label();
            NetnsRef ref = ns.ref();
            Pod pod = ref.pod();
            info.set("netns", netns, "pid", Long.toString(ref.pid()),
                    "pod_namespace", pod == null ? "" : pod.namespace(), "pod_name", pod == null ? "" : pod.name(),
                    "pod_uid", pod == null ? "" : pod.uid(), "pod_ips", String.join(",", ns.addressList()),
                    "access", ns.access().label());
            for (Finding x : ns.findings()) {
                if (!Double.isNaN(x.risk())) {
                    risk.set(x.risk(), "netns", netns, "footgun", x.footgun().id());
                }
            }
            tcpInfo.set(ns.tcpInfoSockets(), "netns", netns);
            for (Reading<?> r : ns.observation().now().readings()) {
                // read without setns, its sysctls are the node's, assumed for judging but not read: 0
                boolean assumed = ns.access() == Access.PROCFS && r.collector().equals("sysctl");
                success.set(r.success() && !assumed ? 1 : 0, "netns", netns, "collector", r.collector());
            }
            if (ct != null) {
                conntrack.set(ct.count(), "netns", netns);
            }
            if (census == null) {
                continue;
            }
            for (TcpState s : TcpState.values()) {
                if (s != TcpState.UNKNOWN) {
                    states.set(census.count(s), "netns", netns, "state", s.label());
                }
            }
            TopK<SocketCensus.DestinationCount> timeWait = TopK.of(census.timeWait(), destinationsTop);
            for (var d : timeWait.top()) {
                tw.set(d.count(), "netns", netns, "direction", MetricsRenderer.direction(d.inbound()),
                        "dst_ip", labels.address(d.dstIp()), "dst_port", Integer.toString(d.dstPort()));
            }
            tw.set(timeWait.restSum(SocketCensus.DestinationCount::count), "netns", netns, "direction", MetricsRenderer.OTHER, "dst_ip", MetricsRenderer.OTHER,
                    "dst_port", MetricsRenderer.OTHER);
            TopK<SocketCensus.PortGroup> groups = TopK.of(census.portGroups(), destinationsTop);
            for (var g : groups.top()) {
                ports.set(g.inUse(), "netns", netns, "src_ip", labels.address(g.srcIp()), "dst_ip", labels.address(g.dstIp()),
                        "dst_port", Integer.toString(g.dstPort()));
            }
            ports.set(groups.restSum(SocketCensus.PortGroup::inUse), "netns", netns, "src_ip", MetricsRenderer.OTHER, "dst_ip", MetricsRenderer.OTHER,
                    "dst_port", MetricsRenderer.OTHER);
        }
        if (others) {
            String o = MetricsRenderer.OTHER;
            for (TcpState s : TcpState.values()) {
                if (s != TcpState.UNKNOWN) {
                    states.set(otherStates.getOrDefault(s, 0), "netns", o, "state", s.label());
                }
            }
            tw.set(otherTw, "netns", o, "direction", o, "dst_ip", o, "dst_port", o);
            ports.set(otherPorts, "netns", o, "src_ip", o, "dst_ip", o, "dst_port", o);
            conntrack.set(otherConntrack, "netns", o);
            tcpInfo.set(otherTcpInfo, "netns", o);
            List<Finding> template = ranked.getFirst().findings();
            for (int i = 0; otherRisk != null && i < otherRisk.length; i++) {
                if (!Double.isNaN(otherRisk[i])) {
                    risk.set(otherRisk[i], "netns", o, "footgun", template.get(i).footgun().id());
                }
            }
        }
        info.add();
        risk.add();
        states.add();
        tw.add();
        ports.add();
        conntrack.add();
        success.add();
        tcpInfo.add();
        worst(f, a.namespaces());
    }

    /**
     * footgun_risk_worst_netns_info: which namespace (and pod) the node-wide risk of each footgun
     * comes from; on a tie the exporter's own namespace (listed first), as the node-wide finding does.
     */
    private static void worst(Families f, List<NamespaceAssessment> namespaces) {
        var g = f.infos("footgun_risk_worst_netns_info",
                "The network namespace and pod holding the node-wide (worst) risk of each footgun; the value is always 1.");
        Assessment.worstByFootgun(namespaces).forEach((footgun, worst) -> {
            Pod pod = worst.ref().pod();
            g.set("footgun", footgun.id(), "netns", worst.ref().label(),
                    "pod_namespace", pod == null ? "" : pod.namespace(), "pod_name", pod == null ? "" : pod.name());
        });
        g.add();
    }

    private static double[] maxRisks(double[] acc, List<Finding> findings) {
        double[] out = acc == null ? new double[findings.size()] : acc;
        if (acc == null) {
            java.util.Arrays.fill(out, Double.NaN);
        }
        for (int i = 0; i < findings.size(); i++) {
            double r = findings.get(i).risk();
            if (!Double.isNaN(r) && (Double.isNaN(out[i]) || r > out[i])) {
                out[i] = r;
            }
        }
        return out;
    }

    private static int sockets(NamespaceAssessment ns) {
        return ns.observation().socketCount();
    }
}

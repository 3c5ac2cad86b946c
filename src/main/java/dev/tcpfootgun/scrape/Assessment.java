package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.PodAddresses;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One read of the node and its judgement: what every renderer (/metrics, doctor, the page) draws.
 *
 * @param observation the exporter's own network namespace
 * @param findings node-wide: per footgun, the worst of every namespace read
 * @param parseErrorTotals lines or messages skipped per source since the exporter started
 * @param namespaces every namespace read, the exporter's own first; empty unless --collector.netns
 * @param reads kernel reads since the exporter started, this one included
 */
public record Assessment(Observation observation, List<Finding> findings, Map<String, Long> parseErrorTotals,
        List<NamespaceAssessment> namespaces, long reads) {

    public Assessment {
        findings = List.copyOf(findings);
        parseErrorTotals = Map.copyOf(parseErrorTotals);
        namespaces = List.copyOf(namespaces);
    }

    /**
     * Pod IP to its namespace and pod, from every other namespace read this scrape (the node's own
     * left out): for joining per-address figures (conntrack, SNAT) to pods. Empty without --collector.netns.
     */
    public PodAddresses podAddresses() {
        return podAddresses(namespaces);
    }

    /** {@link #podAddresses()} of these namespaces: the scraper judges with it before the assessment exists. */
    static PodAddresses podAddresses(List<NamespaceAssessment> namespaces) {
        Map<String, NetnsRef> byIp = new HashMap<>();
        for (NamespaceAssessment ns : namespaces) {
            if (!ns.ref().host()) {
                for (String ip : ns.addressList()) {
                    byIp.putIfAbsent(ip, ns.ref());
                }
            }
        }
        return new PodAddresses(byIp);
    }

    /** Per footgun, the namespace at most risk (see {@link #worstByFootgun}); empty without --collector.netns. */
    public Map<Footgun, NamespaceAssessment> worstNamespaces() {
        return worstByFootgun(namespaces);
    }

    /**
     * Per footgun, the namespace whose finding has the highest known risk, keyed by footgun (not by
     * the findings' order); on a tie the first listed, the exporter's own. A footgun no namespace
     * could judge is absent. The one rule for the node-wide finding and footgun_risk_worst_netns_info.
     */
    public static Map<Footgun, NamespaceAssessment> worstByFootgun(List<NamespaceAssessment> namespaces) {
        Map<Footgun, NamespaceAssessment> worst = new EnumMap<>(Footgun.class);
        Map<Footgun, Double> risk = new EnumMap<>(Footgun.class);
        for (NamespaceAssessment ns : namespaces) {
            for (Finding f : ns.findings()) {
                Double best = risk.get(f.footgun());
                if (!Double.isNaN(f.risk()) && (best == null || f.risk() > best)) {
                    worst.put(f.footgun(), ns);
                    risk.put(f.footgun(), f.risk());
                }
            }
        }
        return worst;
    }

    public NodeSnapshot snapshot() {
        return observation.now();
    }
}

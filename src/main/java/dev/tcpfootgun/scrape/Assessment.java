package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.snapshot.NodeSnapshot;
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

    public NodeSnapshot snapshot() {
        return observation.now();
    }
}

package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import java.util.List;
import java.util.Map;

/**
 * One read of the node and its judgement: what every renderer (/metrics, doctor, the page) draws.
 *
 * @param parseErrorTotals lines or messages skipped per source since the exporter started
 */
public record Assessment(Observation observation, List<Finding> findings, Map<String, Long> parseErrorTotals) {

    public Assessment {
        findings = List.copyOf(findings);
        parseErrorTotals = Map.copyOf(parseErrorTotals);
    }

    public NodeSnapshot snapshot() {
        return observation.now();
    }
}

package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.NetnsRef;
import java.util.List;

/** One network namespace's read and judgement, within a node-wide assessment. */
public record NamespaceAssessment(NetnsRef ref, Observation observation, List<Finding> findings) {

    public NamespaceAssessment {
        findings = List.copyOf(findings);
    }

    /** The highest known risk of any footgun here, for ranking namespaces; -1 when none is known. */
    public double maxRisk() {
        double max = -1;
        for (Finding f : findings) {
            if (!Double.isNaN(f.risk())) {
                max = Math.max(max, f.risk());
            }
        }
        return max;
    }
}

package dev.tcpfootgun.scrape;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Slot;
import java.util.List;

/**
 * One network namespace's read and judgement, within a node-wide assessment.
 *
 * @param access how it was read (own, setns, or its /proc/PID/net files alone)
 * @param tcpInfoSockets connections read with their tcp_info (none without setns: /proc/PID/net/tcp has none)
 */
public record NamespaceAssessment(NetnsRef ref, Observation observation, List<Finding> findings, Access access,
        int tcpInfoSockets) {

    public NamespaceAssessment {
        findings = List.copyOf(findings);
    }

    /** The addresses it owns (pod IPs, loopback left out): its snapshot's addresses reading, absent in the exporter's own. */
    public Reading<List<String>> addresses() {
        return observation.now().get(Slot.ADDRESSES);
    }

    /** Its addresses, or none when they could not be read. */
    public List<String> addressList() {
        return addresses().value().orElse(List.of());
    }

    /** This namespace's finding on one footgun; null when no check judged it here. */
    public Finding finding(dev.tcpfootgun.footgun.Footgun footgun) {
        for (Finding f : findings) {
            if (f.footgun() == footgun) {
                return f;
            }
        }
        return null;
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

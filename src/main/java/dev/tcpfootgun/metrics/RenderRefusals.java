package dev.tcpfootgun.metrics;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line when a source starts or stops failing because the metric names its kernel text
 * gives cannot be shown, or a series starts being left out, not one per scrape. Concurrent scrapes
 * render the same read, so the state is shared under a lock.
 */
final class RenderRefusals {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsRenderer.class);

    private Map<String, String> refused = Map.of();
    private Set<String> leftOut = Set.of();

    synchronized void note(Map<String, String> refusedNow, List<String> leftOutNow) {
        refusedNow.forEach((collector, reason) -> {
            if (!reason.equals(refused.get(collector))) {
                LOG.warn("collector {} failed: {}; its metrics are left out", collector, reason);
            }
        });
        for (String collector : refused.keySet()) {
            if (!refusedNow.containsKey(collector)) {
                LOG.info("collector {} recovered: the metric names from its kernel text are valid again", collector);
            }
        }
        refused = Map.copyOf(refusedNow);
        Set<String> now = new LinkedHashSet<>(leftOutNow);
        for (String line : now) {
            if (!leftOut.contains(line)) {
                LOG.warn("{}", line);
            }
        }
        leftOut = now;
    }
}

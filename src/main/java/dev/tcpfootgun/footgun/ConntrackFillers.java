package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** "What fills the table": the top destinations of a conntrack dump and who sends to them, as evidence lines. */
final class ConntrackFillers {
    /** Destinations and sources named in evidence; the metrics carry the rest. */
    static final int NAMED = 3;

    private ConntrackFillers() {}

    static List<String> evidence(ConntrackEntries ce, dev.tcpfootgun.netns.PodAddresses pods) {
        List<String> out = new ArrayList<>();
        if (ce.entries() == 0) {
            return out;
        }
        List<ConntrackEntries.Destination> top = ce.destinations();
        for (int i = 0; i < Math.min(NAMED, top.size()); i++) {
            ConntrackEntries.Destination d = top.get(i);
            out.add(String.format(Locale.ROOT, "%s holds %d of %d entries (%.1f %%); from %s", d.describe(), d.entries(),
                    ce.entries(), 100.0 * d.entries() / ce.entries(), sources(ce.sourcesOf(d.protocol(), d.ip(), d.port()), pods)));
        }
        if (ce.partial() != null) {
            out.add("the dump is partial (" + ce.partial() + "): counts cover the first " + ce.entries() + " entries");
        }
        return out;
    }

    /** The top senders to one destination: "10.0.1.7 (pod unknown) 80, 10.0.1.9 (pod unknown) 20". */
    static String sources(List<ConntrackEntries.Source> sources, dev.tcpfootgun.netns.PodAddresses pods) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(NAMED, sources.size()); i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(sources.get(i).srcIp()).append(" (pod ").append(Observation.podName(pods, sources.get(i).srcIp())).append(") ")
                    .append(sources.get(i).entries());
        }
        if (sources.size() > NAMED) {
            s.append(" and ").append(sources.size() - NAMED).append(" more sources");
        }
        return s.toString();
    }
}

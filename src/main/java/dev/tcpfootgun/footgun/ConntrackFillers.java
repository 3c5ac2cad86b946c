package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.List;

/** "What fills the table": the top destinations of a conntrack dump and who sends to them, as evidence lines. */
final class ConntrackFillers {
    /** Destinations and sources named in evidence; the metrics carry the rest. */
    static final int NAMED = 3;

    private ConntrackFillers() {}

    static List<Prose> evidence(ConntrackEntries ce, dev.tcpfootgun.netns.PodAddresses pods) {
        List<Prose> out = new ArrayList<>();
        if (ce.entries() == 0) {
            return out;
        }
        List<ConntrackEntries.Destination> top = ce.destinations();
        for (int i = 0; i < Math.min(NAMED, top.size()); i++) {
            ConntrackEntries.Destination d = top.get(i);
            out.add(Prose.format("%s holds %d of %d entries (%.1f %%); from %s", Prose.of(d.protocol() + " ", new Endpoint(d.ip(), d.port())), d.entries(),
                    ce.entries(), 100.0 * d.entries() / ce.entries(), sources(ce.sourcesOf(d.protocol(), d.ip(), d.port()), pods)));
        }
        if (ce.partial() != null) {
            out.add(Prose.of("the dump is partial (" + ce.partial() + "): counts cover the first " + ce.entries() + " entries"));
        }
        return out;
    }

    /** The top senders to one destination: "10.0.1.7 (pod unknown) 80, 10.0.1.9 (pod unknown) 20". */
    static Prose sources(List<ConntrackEntries.Source> sources, dev.tcpfootgun.netns.PodAddresses pods) {
        List<Prose> named = new ArrayList<>();
        for (int i = 0; i < Math.min(NAMED, sources.size()); i++) {
            ConntrackEntries.Source s = sources.get(i);
            named.add(Prose.of(Prose.ip(s.srcIp()), " (pod " + Observation.podName(pods, s.srcIp()) + ") " + s.entries()));
        }
        return Prose.of(Prose.join(", ", named), sources.size() > NAMED ? " and " + (sources.size() - NAMED) + " more sources" : "");
    }
}

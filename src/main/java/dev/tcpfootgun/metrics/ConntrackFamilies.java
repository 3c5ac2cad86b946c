package dev.tcpfootgun.metrics;

import dev.tcpfootgun.footgun.KernelFacts;
import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatRule;

/** The conntrack dump's families: what fills the table, and the NAT ports per destination. */
final class ConntrackFamilies {
    /** Sources kept per destination series; the rest of that destination sums into src_ip="other". */
    static final int SOURCES_PER_DESTINATION = 5;
    private static final String OTHER = DestinationLabels.OTHER;

    private ConntrackFamilies() {}

    static void render(Families f, ConntrackEntries ce, Conntrack ct, int top, DestinationLabels labels,
            dev.tcpfootgun.netns.PodAddresses pods) {
        var states = f.gauge("footgun_conntrack_dump_entries",
                "Conntrack entries by protocol and state, from the ctnetlink dump (TCP: conntrack's state; others: unreplied, replied, assured).");
        for (ConntrackEntries.StateCount s : ce.states()) {
            states.set(s.entries(), "protocol", s.protocol(), "state", s.state());
        }
        states.add();
        f.gauge("footgun_conntrack_dump_partial",
                "1 when the last dump stopped before the table's end (--collector.conntrack.dump-limit, the time bound, or a table changing under two dumps); its counts are then a lower bound.")
                .set(ce.partial() == null ? 0 : 1).add();
        f.gauge("footgun_conntrack_dump_ungrouped_entries",
                "Entries counted by state but left out of the per-destination groups, which hold at most a fixed number of distinct keys.")
                .set(ce.ungrouped()).add();
        if (ce.timeWaitMaxRemainingSeconds() >= 0) {
            f.gauge("footgun_conntrack_time_wait_remaining_max_seconds",
                    "Longest time left on a TCP TIME_WAIT conntrack entry; at most nf_conntrack_tcp_timeout_time_wait.")
                    .set(ce.timeWaitMaxRemainingSeconds()).add();
        }

        var dst = f.gauge("footgun_conntrack_destination_entries",
                "Conntrack entries per protocol and original destination; the top destinations, the rest summed in dst_ip=\"other\".");
        var src = f.gauge("footgun_conntrack_destination_source_entries",
                "Conntrack entries per top destination and original source address with its pod (\"unknown\" when no pod has it); "
                        + SOURCES_PER_DESTINATION + " sources per destination, the rest in src_ip=\"other\".");
        int shown = labels.perDestinationSeries() ? top : 0;
        TopK<ConntrackEntries.Destination> ds = TopK.of(ce.destinations(), shown);
        for (ConntrackEntries.Destination d : ds.top()) {
            String ip = labels.address(d.ip());
            String port = Integer.toString(d.port());
            dst.set(d.entries(), "protocol", d.protocol(), "dst_ip", ip, "dst_port", port);
            // the rest is what the top sources leave of the destination's entries: its sources may not list them all
            long rest = d.entries();
            for (ConntrackEntries.Source s : TopK.of(ce.sourcesOf(d.protocol(), d.ip(), d.port()), SOURCES_PER_DESTINATION).top()) {
                dev.tcpfootgun.netns.Pod pod = pods.podOf(s.srcIp()).orElse(null);
                src.set(s.entries(), "protocol", d.protocol(), "dst_ip", ip, "dst_port", port,
                        "src_ip", labels.address(s.srcIp()), "namespace", pod == null ? "" : pod.namespace(),
                        "pod", pod == null ? "unknown" : pod.name().isEmpty() ? pod.uid() : pod.name());
                rest -= s.entries();
            }
            if (rest > 0) {
                src.set(rest, "protocol", d.protocol(), "dst_ip", ip, "dst_port", port, "src_ip", OTHER, "namespace", "", "pod", OTHER);
            }
        }
        dst.set(ds.restSum(ConntrackEntries.Destination::entries) + ce.ungrouped(), "protocol", OTHER, "dst_ip", OTHER, "dst_port", OTHER).add();
        src.add();

        natGroups(f, ce, ct, shown, labels);
        var rules = f.infos("footgun_snat_port_range_info",
                "Where the NAT port ranges came from (origin: nftables, flag or default) and each source-NAT rule read; the value is always 1.");
        if (ce.natPorts().rules().isEmpty() || ce.natPorts().flagRange() != null) {
            String range = ce.natPorts().flagRange() != null ? ce.natPorts().flagRange().toString() : NatRule.KERNEL_DEFAULT_PORTS.toString();
            rules.set("origin", ce.natPorts().origin(), "rule", "", "protocol", "", "kind", "", "ports", range, "random_fully", "");
        }
        for (NatRule r : ce.natPorts().rules()) {
            rules.set("origin", "nftables", "rule", r.where(), "protocol", r.protocol() < 0 ? "any" : Integer.toString(r.protocol()),
                    "kind", r.kind(), "ports", r.usablePorts().toString(),
                    "random_fully", Boolean.toString(r.randomFully()));
        }
        rules.add();
    }

    private static void natGroups(Families f, ConntrackEntries ce, Conntrack ct, int shown, DestinationLabels labels) {
        long timeWait = ct != null && ct.timeWaitTimeoutSeconds().isPresent() && ct.timeWaitTimeoutSeconds().getAsLong() > 0
                ? ct.timeWaitTimeoutSeconds().getAsLong() : KernelFacts.CONNTRACK_TIME_WAIT_DEFAULT_SECONDS;
        var held = f.gauge("footgun_snat_ports_held",
                "NAT source ports held per (protocol, translated source, destination): entries whose reply tuple lies there with a port in the NAT range; top groups by share of the range, the rest in \"other\".");
        var usable = f.gauge("footgun_snat_ports_usable", "Source ports NAT may use per (protocol, translated source, destination): the size of its port range.");
        var free = f.gauge("footgun_snat_ports_free",
                "NAT source ports still free per (protocol, translated source, destination): usable minus held; a new connection there fails when it is 0.");
        var tw = f.gauge("footgun_snat_ports_time_wait",
                "Of the held NAT ports, those whose entry is in TCP TIME_WAIT or CLOSE (held for nf_conntrack_tcp_timeout_time_wait).");
        var headroom = f.gauge("footgun_snat_port_headroom_connections_per_second",
                "New connections per second a NAT group can still sustain: free NAT ports / nf_conntrack_tcp_timeout_time_wait.");
        TopK<ConntrackEntries.NatGroup> gs = TopK.of(ce.natGroups(), shown);
        for (ConntrackEntries.NatGroup g : gs.top()) {
            String[] l = {"protocol", g.protocol(), "src_ip", labels.address(g.srcIp()), "dst_ip", labels.address(g.dstIp()),
                "dst_port", Integer.toString(g.dstPort())};
            held.set(g.heldInRange(), l);
            usable.set(g.usable(), l);
            free.set(g.free(), l);
            tw.set(g.timeWait(), l);
            headroom.set((double) g.free() / timeWait, l);
        }
        held.set(gs.restSum(ConntrackEntries.NatGroup::heldInRange), "protocol", OTHER, "src_ip", OTHER, "dst_ip", OTHER, "dst_port", OTHER).add();
        usable.add();
        free.add();
        tw.add();
        headroom.add();
    }
}

package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Seed section 1 in its NAT form, with section 9's TIME_WAIT timeout: every connection masqueraded
 * to one address shares that address's NAT source ports towards one destination, and each closed
 * one keeps its tuple for nf_conntrack_tcp_timeout_time_wait. Risk is the share of the NAT range the
 * worst (translated source, destination) group holds; 1 when it is full and the kernel is dropping
 * new connections there (insert_failed and drop rising: NAT found no free tuple, measured here).
 */
public final class SnatPortExhaustionCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.SNAT_PORT_EXHAUSTION;
    }

    @Override
    public Finding judge(Observation o) {
        Reading<ConntrackEntries> r = o.now().conntrackEntries();
        ConntrackEntries ce = r.value().orElse(null);
        if (ce == null) {
            return Finding.unknown(footgun(), r.problem(), fix(null, null, o));
        }
        List<String> evidence = new ArrayList<>();
        if (ce.natGroups().isEmpty()) {
            evidence.add("no source-NATed entry among " + ce.entries() + " conntrack entries");
            partial(ce, evidence);
            return Finding.of(footgun(), 0, evidence, fix(ce, null, o));
        }
        ConntrackEntries.NatGroup g = ce.natGroups().getFirst();
        long timeWait = timeWaitSeconds(o);
        double risk = g.used();
        evidence.add(String.format(Locale.ROOT,
                "%s holds %d of %d NAT source ports (%.1f %%, range %s), %d of them in TIME_WAIT; at %d s TIME_WAIT that leaves %.1f new connections/s before new connections there are dropped",
                g.describe(), g.heldInRange(), g.usable(), 100 * g.used(), g.range(), g.timeWait(), timeWait,
                (double) g.free() / timeWait));
        evidence.add("ports from " + origin(ce.natPorts()));
        if (g.timeWait() > 0) {
            evidence.add("this kernel takes over a TIME_WAIT tuple for a new TCP connection only when the range is otherwise full "
                    + "and the new SYN's sequence number is past the old one, and not always then (README), so TIME_WAIT still holds ports");
        }
        List<ConntrackEntries.Source> holders = ce.sourcesOf(g.protocol(), g.dstIp(), g.dstPort());
        if (!holders.isEmpty()) {
            evidence.add("sources holding most of them: " + ConntrackFillers.sources(holders, o.podsByAddress()));
        }
        long dropped = droppedSince(o);
        if (dropped > 0 && g.free() == 0) {
            risk = 1;
            evidence.add("insert_failed rose by " + dropped + " while no port was free: NAT found no free tuple and the kernel dropped those SYNs");
        }
        if (ce.natGroups().size() > 1) {
            ConntrackEntries.NatGroup next = ce.natGroups().get(1);
            evidence.add(String.format(Locale.ROOT, "next: %s holds %d of %d", next.describe(), next.heldInRange(), next.usable()));
        }
        partial(ce, evidence);
        return Finding.of(footgun(), risk, evidence, fix(ce, g, o));
    }

    private static void partial(ConntrackEntries ce, List<String> evidence) {
        if (ce.partial() != null) {
            evidence.add("the dump is partial (" + ce.partial() + "): the counts are a lower bound");
        }
    }

    static String origin(NatPorts p) {
        return switch (p.origin()) {
            case "flag" -> "--collector.conntrack.nat-port-range=" + p.flagRange()
                    + (p.unreadable() != null ? " (the ruleset is unreadable: " + p.unreadable() + ")" : " (overrides the ruleset)");
            case "nftables" -> p.rules().isEmpty()
                    ? "the kernel's default " + NatRule.KERNEL_DEFAULT_PORTS + ": no source-NAT rule in the nf_tables ruleset "
                            + "(iptables-legacy rules are not readable; set --collector.conntrack.nat-port-range if they narrow it)"
                    : "the nf_tables ruleset: " + String.join("; ", p.rules().stream().map(NatRule::describe).toList());
            default -> "the kernel's default " + NatRule.KERNEL_DEFAULT_PORTS + ", assumed: the ruleset is unreadable ("
                    + p.unreadable() + "); set --collector.conntrack.nat-port-range if the rules narrow it";
        };
    }

    private static long timeWaitSeconds(Observation o) {
        Conntrack ct = o.now().conntrack().value().orElse(null);
        OptionalLong t = ct == null ? OptionalLong.empty() : ct.timeWaitTimeoutSeconds();
        return t.isPresent() && t.getAsLong() > 0 ? t.getAsLong() : KernelFacts.CONNTRACK_TIME_WAIT_DEFAULT_SECONDS;
    }

    /** insert_failed's rise since the previous read: what a NAT that finds no free tuple costs (measured here). */
    private static long droppedSince(Observation o) {
        Conntrack now = o.now().conntrack().value().orElse(null);
        return now == null ? 0 : ConntrackTableFullCheck.increase(now, ConntrackTableFullCheck.previous(o.previous()), "insert_failed");
    }

    private static String fix(ConntrackEntries ce, ConntrackEntries.NatGroup g, Observation o) {
        long timeWait = timeWaitSeconds(o);
        String where = g == null ? "the busiest destination" : g.dstIp() + ":" + g.dstPort();
        String pods = g == null ? "the pods that open them" : sourcesText(ce, g, o);
        String range = g == null ? "" : " (now " + g.range() + ", " + g.usable() + " ports)";
        return String.format(Locale.ROOT,
                "Pool and reuse connections to %s in %s instead of one per request. "
                        + "Give NAT more ports: more egress addresses (SNAT to a range, or a NAT gateway) multiply the %s; "
                        + "do not narrow --to-ports%s. "
                        + "Free closed tuples sooner: sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=%d (now %d). "
                        + "Use --random-fully on the MASQUERADE/SNAT rule (kube-proxy: it is the default), so ports are spread and reused evenly.",
                where, pods, g == null ? "ports per destination" : g.usable() + " ports per destination", range,
                KernelFacts.CONNTRACK_TIME_WAIT_TIMEOUT_SECONDS, timeWait);
    }

    private static String sourcesText(ConntrackEntries ce, ConntrackEntries.NatGroup g, Observation o) {
        List<ConntrackEntries.Source> s = ce.sourcesOf(g.protocol(), g.dstIp(), g.dstPort());
        return s.isEmpty() ? "the pods that open them" : ConntrackFillers.sources(s, o.podsByAddress());
    }
}

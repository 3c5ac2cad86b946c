package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.Endpoint;
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
            return Finding.unknown(footgun(), r.problem(), () -> fix(null, null, o));
        }
        if (ce.natGroups().isEmpty()) {
            return Finding.of(footgun(), 0, false, Finding.Explanation.later(() -> {
                List<Prose> evidence = new ArrayList<>();
                evidence.add(Prose.of("no source-NATed entry among " + ce.entries() + " conntrack entries"));
                partial(ce, evidence);
                return Finding.Explanation.of(evidence, fix(ce, null, o));
            }));
        }
        ConntrackEntries.NatGroup g = ce.natGroups().getFirst();
        long dropped = droppedSince(o);
        boolean dropping = dropped > 0 && g.free() == 0;
        return Finding.of(footgun(), dropping ? 1 : g.used(), false,
                Finding.Explanation.later(() -> Finding.Explanation.of(evidence(o, ce, g, dropping, dropped), fix(ce, g, o))));
    }

    private static List<Prose> evidence(Observation o, ConntrackEntries ce, ConntrackEntries.NatGroup g, boolean dropping, long dropped) {
        List<Prose> evidence = new ArrayList<>();
        long timeWait = timeWaitSeconds(o);
        evidence.add(Prose.format(
                "%s holds %d of %d NAT source ports (%.1f %%, range %s), %d of them in TIME_WAIT; at %d s TIME_WAIT that leaves %.1f new connections/s before new connections there are dropped",
                named(g), g.heldInRange(), g.usable(), 100 * g.used(), g.range(), g.timeWait(), timeWait,
                (double) g.free() / timeWait));
        evidence.add(Prose.of("ports from ", origin(ce.natPorts())));
        if (g.timeWait() > 0) {
            evidence.add(Prose.of("this kernel takes over a TIME_WAIT tuple for a new TCP connection only when the range is otherwise full "
                    + "and the new SYN's sequence number is past the old one, and not always then (README), so TIME_WAIT still holds ports"));
        }
        List<ConntrackEntries.Source> holders = ce.sourcesOf(g.protocol(), g.dstIp(), g.dstPort());
        if (!holders.isEmpty()) {
            evidence.add(Prose.of("sources holding most of them: ", ConntrackFillers.sources(holders, o.podsByAddress())));
        }
        if (dropping) {
            evidence.add(Prose.of("insert_failed rose by " + dropped + " while no port was free: NAT found no free tuple and the kernel dropped those SYNs"));
        }
        if (ce.natGroups().size() > 1) {
            ConntrackEntries.NatGroup next = ce.natGroups().get(1);
            evidence.add(Prose.format("next: %s holds %d of %d", named(next), next.heldInRange(), next.usable()));
        }
        partial(ce, evidence);
        return evidence;
    }

    /** "tcp 10.0.0.1 -> 10.0.0.7:5432": the translated source and the destination. */
    private static Prose named(ConntrackEntries.NatGroup g) {
        return Prose.of(g.protocol() + " ", Prose.ip(g.srcIp()), " -> ", new Endpoint(g.dstIp(), g.dstPort()));
    }

    private static void partial(ConntrackEntries ce, List<Prose> evidence) {
        if (ce.partial() != null) {
            evidence.add(Prose.of("the dump is partial (" + ce.partial() + "): the counts are a lower bound"));
        }
    }

    static Prose origin(NatPorts p) {
        return switch (p.origin()) {
            case "flag" -> Prose.of("--collector.conntrack.nat-port-range=" + p.flagRange()
                    + (p.unreadable() != null ? " (the ruleset is unreadable: " + p.unreadable() + ")" : " (overrides the ruleset)"));
            case "nftables" -> p.rules().isEmpty()
                    ? Prose.of("the kernel's default " + NatRule.KERNEL_DEFAULT_PORTS + ": no source-NAT rule in the nf_tables ruleset "
                            + "(iptables-legacy rules are not readable; set --collector.conntrack.nat-port-range if they narrow it)")
                    : Prose.of("the nf_tables ruleset: ", Prose.join("; ", p.rules().stream().map(SnatPortExhaustionCheck::rule).toList()));
            default -> Prose.of("the kernel's default " + NatRule.KERNEL_DEFAULT_PORTS + ", assumed: the ruleset is unreadable ("
                    + p.unreadable() + "); set --collector.conntrack.nat-port-range if the rules narrow it");
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

    /** "ip nat POSTROUTING: tcp snat to 10.0.0.1-10.0.0.2 ports 1024-65535 random-fully". */
    private static Prose rule(NatRule r) {
        List<Object> s = new ArrayList<>();
        s.add(r.where() + ": ");
        if (r.protocol() >= 0) {
            s.add(switch (r.protocol()) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 1 -> "icmp";
                case 58 -> "icmpv6";
                default -> "protocol " + r.protocol();
            } + " ");
        }
        s.add(r.kind());
        if (r.addressLow() != null) {
            s.add(" to ");
            s.add(Prose.ip(r.addressLow()));
            if (r.addressHigh() != null && !r.addressHigh().equals(r.addressLow())) {
                s.add("-");
                s.add(Prose.ip(r.addressHigh()));
            }
        }
        s.add(r.ports() == null ? " (no port range: the kernel's " + NatRule.KERNEL_DEFAULT_PORTS + ")" : " ports " + r.ports());
        s.add(r.randomFully() ? " random-fully" : "");
        return Prose.of(s.toArray());
    }

    private static Prose fix(ConntrackEntries ce, ConntrackEntries.NatGroup g, Observation o) {
        long timeWait = timeWaitSeconds(o);
        Prose where = g == null ? Prose.of("the busiest destination") : Prose.of(Prose.ip(g.dstIp()), ":" + g.dstPort());
        Prose pods = g == null ? Prose.of("the pods that open them") : sourcesText(ce, g, o);
        String range = g == null ? "" : " (now " + g.range() + ", " + g.usable() + " ports)";
        return Prose.format(
                "Pool and reuse connections to %s in %s instead of one per request. "
                        + "Give NAT more ports: more egress addresses (SNAT to a range, or a NAT gateway) multiply the %s; "
                        + "do not narrow --to-ports%s. "
                        + "Free closed tuples sooner: sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=%d (now %d). "
                        + "Use --random-fully on the MASQUERADE/SNAT rule (kube-proxy: it is the default), so ports are spread and reused evenly.",
                where, pods, g == null ? "ports per destination" : g.usable() + " ports per destination", range,
                KernelFacts.CONNTRACK_TIME_WAIT_TIMEOUT_SECONDS, timeWait);
    }

    private static Prose sourcesText(ConntrackEntries ce, ConntrackEntries.NatGroup g, Observation o) {
        List<ConntrackEntries.Source> s = ce.sourcesOf(g.protocol(), g.dstIp(), g.dstPort());
        return s.isEmpty() ? Prose.of("the pods that open them") : ConntrackFillers.sources(s, o.podsByAddress());
    }
}

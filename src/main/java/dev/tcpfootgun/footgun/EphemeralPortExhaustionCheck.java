package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.EphemeralPorts;
import dev.tcpfootgun.snapshot.Sysctls;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed section 1: TIME_WAIT only hurts when one destination exhausts the ephemeral range. Risk is
 * the share of usable ports that connect() to the worst (local address, destination) group cannot
 * take, by the kernel's rule ({@link SocketCensus}): ports held through bind() are lost to every
 * destination, ports held by connections only to their own group. 1 means the next connect() there
 * fails with EADDRNOTAVAIL.
 */
public final class EphemeralPortExhaustionCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.EPHEMERAL_PORT_EXHAUSTION;
    }

    @Override
    public Finding judge(Observation o) {
        SocketCensus census = o.census();
        if (census == null) {
            return Finding.unknown(footgun(), o.now().sockets().problem(), () -> fix(null, null));
        }
        EphemeralPorts ports = census.ports();
        if (ports == null) {
            return Finding.unknown(footgun(), o.now().sysctls().map(s -> s.whyMissing(Sysctls.PORT_RANGE))
                    .orElse(o.now().sysctls().problem()), () -> fix(null, null));
        }
        // the verdict now, its sentences when first read (/metrics reads none of them)
        int usable = ports.usable();
        SocketCensus.PortGroup worst = census.worstPortGroup();
        double risk = usable == 0 ? 1
                : Math.min(1, (double) (worst == null ? census.lostToNewDestination() : worst.blocking()) / usable);
        // why bind()-only sockets are missing, if they are: taken now, so the sentences keep no socket table alive
        String unlisted = o.now().sockets().map(t -> t.origin().withoutBound()).orElse(null);
        return Finding.of(footgun(), risk, false, Finding.Explanation.later(() -> explain(unlisted, census, ports, worst)));
    }

    private static Finding.Explanation explain(String unlisted, SocketCensus census, EphemeralPorts ports, SocketCensus.PortGroup worst) {
        int usable = ports.usable();
        List<Prose> evidence = new ArrayList<>();
        evidence.add(Prose.format("ip_local_port_range %d-%d minus %d reserved leaves %d usable ports per destination",
                ports.range().low(), ports.range().high(), ports.reservedInRange(), usable));
        if (unlisted != null) {
            evidence.add(Prose.of(unlisted));
        }
        SocketCensus.BoundPorts bound = census.bound();
        if (bound.ports() > 0) {
            evidence.add(Prose.format("%d port%s held by bind(): %s; connect() skips them for every destination",
                    bound.ports(), bound.ports() == 1 ? "" : "s", holders(bound)));
        }
        if (usable == 0) {
            evidence.add(Prose.of("no usable ephemeral port"));
            return Finding.Explanation.of(evidence, fix(ports, null));
        }
        int free = worst == null ? census.freeForNewDestination() : worst.free();
        if (worst == null) {
            evidence.add(Prose.format("no connection uses an ephemeral port; a new destination has %d free ports", free));
            return Finding.Explanation.of(evidence, fix(ports, null));
        }
        evidence.add(Prose.format(
                "%s (from %s) holds %d of %d ports (%.1f %%), %d of them in TIME_WAIT; connect() there can take %d more: "
                        + "at %d s TIME_WAIT that is %.1f new connections/s before it fails with EADDRNOTAVAIL",
                worst.destination(), Prose.ip(worst.srcIp()), worst.inUse(), usable, 100.0 * worst.inUse() / usable,
                worst.timeWait(), free, KernelFacts.TIME_WAIT_SECONDS, worst.headroomPerSecond()));
        if (worst.reusableTimeWait() > 0) {
            evidence.add(Prose.of(worst.reusableTimeWait() + " of those TIME_WAIT ports can be reused now (tcp_tw_reuse="
                    + census.reuse().mode() + ")"));
        }
        if (worst.heldElsewhere() > 0) {
            evidence.add(Prose.format(
                    "%d more port%s held by connections to other destinations %s counted as lost: whether bind() made %s "
                            + "(lost to every destination) or connect() (lost only to %s own) cannot be seen from userspace, "
                            + "and neither connect()'s parity nor a port shared from one address says so",
                    worst.heldElsewhere(), worst.heldElsewhere() == 1 ? "" : "s", worst.heldElsewhere() == 1 ? "is" : "are",
                    worst.heldElsewhere() == 1 ? "it" : "them", worst.heldElsewhere() == 1 ? "its" : "their"));
        }
        return Finding.Explanation.of(evidence, fix(ports, worst));
    }

    private static String holders(SocketCensus.BoundPorts b) {
        List<String> parts = new ArrayList<>();
        if (b.listeners() > 0) {
            parts.add(b.listeners() + " listener" + (b.listeners() == 1 ? "" : "s"));
        }
        if (b.unconnected() > 0) {
            parts.add(b.unconnected() + " unconnected socket" + (b.unconnected() == 1 ? "" : "s"));
        }
        return String.join(", ", parts);
    }

    private static Prose fix(EphemeralPorts ports, SocketCensus.PortGroup worst) {
        Object target = worst == null ? "the busiest destination" : worst.destination();
        String range = ports == null ? "" : Prose.rootFormat(" (now %d-%d)", ports.range().low(), ports.range().high());
        return Prose.of("Pool and reuse connections to ", target, " instead of opening one per request. "
                + "Let outbound connections reuse TIME_WAIT ports: sysctl -w net.ipv4.tcp_tw_reuse=1. "
                + "A client that must pick its source address should set IP_BIND_ADDRESS_NO_PORT before bind(), so connect() "
                + "chooses the port and shares it between destinations; move listeners out of the range or list their ports in "
                + "net.ipv4.ip_local_reserved_ports. "
                + "Widen the range" + range + ": sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\". "
                + "Do not lower tcp_fin_timeout: TIME_WAIT stays " + KernelFacts.TIME_WAIT_SECONDS + " s.");
    }
}

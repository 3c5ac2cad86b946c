package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.EphemeralPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seed section 1: TIME_WAIT only hurts when one destination exhausts the ephemeral range. Risk is
 * the share of usable ports the worst (local address, destination) group holds that connect()
 * cannot take over; 1 means the next connect() there fails with EADDRNOTAVAIL.
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
            return Finding.unknown(footgun(), "TCP sockets could not be read (" + o.now().sockets().error() + ")", fix(null, null));
        }
        EphemeralPorts ports = census.ports();
        if (ports == null) {
            return Finding.unknown(footgun(), "net.ipv4.ip_local_port_range could not be read"
                    + (o.now().sysctls().success() ? "" : " (" + o.now().sysctls().error() + ")"), fix(null, null));
        }
        int usable = ports.usable();
        SocketCensus.PortGroup worst = census.worstPortGroup();
        List<String> evidence = new ArrayList<>();
        evidence.add(String.format(Locale.ROOT, "ip_local_port_range %d-%d minus %d reserved leaves %d usable ports per destination",
                ports.range().low(), ports.range().high(), ports.reservedInRange(), usable));
        if (worst == null || usable == 0) {
            evidence.add("no connection uses an ephemeral port");
            return Finding.of(footgun(), usable == 0 ? 1 : 0, evidence, fix(ports, null));
        }
        double risk = (double) worst.blocking() / usable;
        int free = Math.max(0, usable - worst.blocking());
        evidence.add(String.format(Locale.ROOT,
                "%s (from %s) uses %d of %d ports (%.1f %%), %d of them in TIME_WAIT; at %d s TIME_WAIT that leaves %.1f new connections/s before connect() fails with EADDRNOTAVAIL",
                worst.destination(), worst.srcIp(), worst.inUse(), usable, 100.0 * worst.inUse() / usable,
                worst.timeWait(), KernelFacts.TIME_WAIT_SECONDS, (double) free / KernelFacts.TIME_WAIT_SECONDS));
        if (worst.reusableTimeWait() > 0) {
            evidence.add(worst.reusableTimeWait() + " of those TIME_WAIT ports can be reused now (tcp_tw_reuse="
                    + census.reuse().mode() + ")");
        }
        return Finding.of(footgun(), risk, evidence, fix(ports, worst));
    }

    private static String fix(EphemeralPorts ports, SocketCensus.PortGroup worst) {
        String target = worst == null ? "the busiest destination" : worst.destination();
        String range = ports == null ? "" : String.format(Locale.ROOT, " (now %d-%d)", ports.range().low(), ports.range().high());
        return "Pool and reuse connections to " + target + " instead of opening one per request. "
                + "Let outbound connections reuse TIME_WAIT ports: sysctl -w net.ipv4.tcp_tw_reuse=1. "
                + "Widen the range" + range + ": sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\". "
                + "Do not lower tcp_fin_timeout: TIME_WAIT stays " + KernelFacts.TIME_WAIT_SECONDS + " s.";
    }
}

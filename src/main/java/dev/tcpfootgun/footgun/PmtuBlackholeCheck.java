package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Seed section 8: when a firewall drops ICMP fragmentation-needed, a path with a smaller MTU
 * silently eats full-size segments: small exchanges work, bulk transfers hang in retransmission
 * backoff. With tcp_mtu_probing=0 TCP never recovers on its own (critical while such stalls are
 * measured; advice where tunnels or small MTUs make blackholes likely but nothing stalls); with
 * probing on it shrinks its segments after repeated timeouts, so measured stalls or failing MTU
 * probes cost seconds, not the connection (warning).
 */
public final class PmtuBlackholeCheck implements Check {

    static final String PROBING = "net.ipv4.tcp_mtu_probing";

    /** Connections named in the evidence; the rest are counted. */
    static final int STALLS_SHOWN = 3;

    /** A connection in retransmission backoff with at least one full-size segment unacknowledged. */
    record Stall(TcpSocket socket) {
        TcpInfo info() {
            return socket.info();
        }

        int backoff() {
            return Math.max(info().backoff(), info().retransmits());
        }

        Prose describe() {
            return Prose.format("%s (from %s): %d bytes unacknowledged, RTO backoff %d, snd_mss %d at path MTU %d",
                    socket.remote(), Prose.ip(socket.local().ip()), socket.txQueue(), backoff(), info().sndMss(), info().pmtu());
        }

        /** Full-size: within the TCP options' 40 bytes of what the path MTU allows. */
        static boolean of(DetailedSockets d, int s) {
            if (!d.hasInfo(s) || d.isListening(s) || d.remote(s).isLoopback()) {
                return false;
            }
            long pmtu = d.pmtu(s);
            long sndMss = d.sndMss(s);
            if (pmtu <= 0 || sndMss <= 0) {
                return false;
            }
            boolean backingOff = d.backoff(s) >= 1 || d.infoRetransmits(s) >= 1;
            boolean fullSize = sndMss >= pmtu - KernelFacts.IP_TCP_HEADER_BYTES - KernelFacts.TCP_OPTIONS_MAX_BYTES;
            return backingOff && fullSize && d.txQueue(s) >= sndMss;
        }
    }

    @Override
    public Footgun footgun() {
        return Footgun.PMTU_BLACKHOLE;
    }

    @Override
    public Finding judge(Observation o) {
        Sysctls sysctls = o.now().sysctls().value().orElse(null);
        OptionalLong probing = sysctls == null ? OptionalLong.empty() : sysctls.number(PROBING);
        if (probing.isEmpty()) {
            return Finding.unknown(footgun(), sysctls == null ? o.now().sysctls().problem() : sysctls.whyMissing(PROBING),
                    fix(null, List.of(), false));
        }
        long mode = probing.getAsLong();
        SocketTable table = o.now().sockets().value().orElse(null);
        boolean judged = table != null && anyTcpInfo(table.detailed());
        List<Stall> stalls = judged ? stalls(table.detailed()) : List.of();
        OptionalDouble mtupFail = o.now().counterIncrease(o.previous(), "TcpExt", "TCPMTUPFail");
        boolean probesFailing = mtupFail.isPresent() && mtupFail.getAsDouble() > 0;
        List<String> smallLinks = smallLinks(o.now().interfaces().value().orElse(null));
        double risk = 0;
        if (mode == 0 && !stalls.isEmpty()) {
            risk = Status.CRITICAL_AT;
        } else if (!stalls.isEmpty() || probesFailing) {
            risk = Status.WARN_AT;
        }
        boolean hazard = mode == 0 && !smallLinks.isEmpty();
        return Finding.of(footgun(), risk, hazard, Finding.Explanation.later(() -> {
            List<Stall> worstFirst = new ArrayList<>(stalls);
            worstFirst.sort(WORST_FIRST);
            return Finding.Explanation.of(evidence(o, sysctls, mode, table, worstFirst, mtupFail, probesFailing, smallLinks),
                    fix(mode, worstFirst, !smallLinks.isEmpty()));
        }));
    }

    /** The longest backoff first, then by remote address: the order the evidence names them in. */
    private static final Comparator<Stall> WORST_FIRST = Comparator.comparingInt(Stall::backoff).reversed()
            .thenComparing(s -> s.socket().remote().toString());

    private static List<Prose> evidence(Observation o, Sysctls sysctls, long mode, SocketTable table, List<Stall> stalls,
            OptionalDouble mtupFail, boolean probesFailing, List<String> smallLinks) {
        List<Prose> evidence = new ArrayList<>();
        evidence.add(Prose.of(switch ((int) mode) {
            case 0 -> PROBING + "=0: off, so TCP never shrinks its segments when ICMP fragmentation-needed is lost";
            case 1 -> PROBING + "=1: blackhole detection on; after repeated timeouts TCP retries with segments of tcp_base_mss "
                    + sysctls.number("net.ipv4.tcp_base_mss").orElse(KernelFacts.DEFAULT_TCP_BASE_MSS) + " and smaller";
            default -> PROBING + "=" + mode + ": TCP probes the path MTU on every connection";
        }));
        if (sysctls.number("net.ipv4.ip_no_pmtu_disc").orElse(0) != 0) {
            evidence.add(Prose.of("ip_no_pmtu_disc=" + sysctls.number("net.ipv4.ip_no_pmtu_disc").getAsLong()
                    + ": IPv4 packets leave without DF, so routers fragment them instead of asking for smaller ones (IPv6 still needs ICMPv6)"));
        }
        if (table == null) {
            evidence.add(Prose.of("stalled connections not judged: " + o.now().sockets().problem()));
        } else if (!anyTcpInfo(table.detailed())) {
            evidence.add(Prose.of("stalled connections not judged: " + table.origin().withoutTcpInfo()));
        }
        if (!stalls.isEmpty()) {
            List<Prose> shown = new ArrayList<>();
            for (int i = 0; i < Math.min(STALLS_SHOWN, stalls.size()); i++) {
                shown.add(stalls.get(i).describe());
            }
            evidence.add(Prose.of(stalls.size() + (stalls.size() == 1 ? " connection stalls" : " connections stall")
                    + " with full-size segments in retransmission backoff: ",
                    Prose.join("; ", shown),
                    stalls.size() > STALLS_SHOWN ? "; and " + (stalls.size() - STALLS_SHOWN) + " more" : ""));
        }
        icmp(o, !stalls.isEmpty(), evidence);
        if (probesFailing) {
            evidence.add(Prose.format(
                    "TcpExt TCPMTUPFail rose by %.0f since the last read: MTU probes are lost on some path", mtupFail.getAsDouble()));
        }
        if (!smallLinks.isEmpty()) {
            evidence.add(Prose.of("paths through " + Links.names(smallLinks, 3) + " carry less than " + KernelFacts.ETHERNET_MTU
                    + " bytes, so PMTU discovery must work for them"));
        }
        return evidence;
    }

    /** Whether any socket carries tcp_info (an empty table counts: nothing is missing). */
    private static boolean anyTcpInfo(DetailedSockets sockets) {
        if (sockets.size() == 0) {
            return true;
        }
        for (int i = 0; i < sockets.size(); i++) {
            if (sockets.hasInfo(i)) {
                return true;
            }
        }
        return false;
    }

    /** The stalled connections, in the table's order. */
    private static List<Stall> stalls(DetailedSockets sockets) {
        List<Stall> out = null;
        for (int i = 0; i < sockets.size(); i++) {
            if (Stall.of(sockets, i)) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(new Stall(sockets.socket(i)));
            }
        }
        return out == null ? List.of() : out;
    }

    /** ICMP destination-unreachable arriving means PMTU discovery can work; none while segments stall is the blackhole's mark. */
    private static void icmp(Observation o, boolean stalling, List<Prose> evidence) {
        OptionalDouble unreach = o.now().counterIncrease(o.previous(), "Icmp", "InDestUnreachs");
        OptionalDouble type3 = o.now().counterIncrease(o.previous(), "IcmpMsg", "InType3");
        if (unreach.isEmpty()) {
            return;
        }
        // IcmpMsg InType3 appears only once a type 3 message has arrived: absent means none yet
        double t3 = type3.orElse(0);
        double received = Math.max(unreach.getAsDouble(), t3);
        if (received > 0) {
            evidence.add(Prose.format(
                    "%.0f ICMP destination-unreachable messages arrived since the last read (Icmp InDestUnreachs, IcmpMsg InType3)", received));
        } else if (stalling) {
            evidence.add(Prose.of("no ICMP destination-unreachable arrived since the last read while segments stall: "
                    + "consistent with ICMP being blocked on the path"));
        }
    }

    /** Up, non-loopback links whose MTU is below Ethernet's, and every up tunnel. */
    private static List<String> smallLinks(List<NetInterface> links) {
        if (links == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (NetInterface i : links) {
            boolean tunnel = Encapsulation.ofKind(i.kind()).isPresent();
            if (Links.isEgress(i) && (tunnel || (i.mtu() > 0 && i.mtu() < KernelFacts.ETHERNET_MTU))) {
                out.add(i.name() + " (" + (i.kind() == null ? "" : i.kind() + ", ") + "MTU " + i.mtu() + ")");
            }
        }
        return out;
    }

    private static Prose fix(Long mode, List<Stall> stalls, boolean smallPaths) {
        List<Prose> destinations = stalls.stream().map(s -> Prose.of(Prose.ip(s.socket().remote().ip()))).distinct().toList();
        Prose where = destinations.isEmpty() ? Prose.of("every firewall on your paths")
                : Prose.of("every firewall between this node and ", Links.few(destinations, STALLS_SHOWN));
        String now = mode == null ? "" : " (now " + mode + ")";
        return Prose.of("Never block all ICMP: allow type 3 (destination unreachable, at least code 4, fragmentation needed) and type 11 "
                + "(time exceeded) through ", where, ": here iptables -I INPUT -p icmp --icmp-type fragmentation-needed -j ACCEPT "
                + "and ip6tables -I INPUT -p icmpv6 --icmpv6-type packet-too-big -j ACCEPT, on routers and firewalls in between the "
                + "same in FORWARD. Safety net: sysctl -w " + PROBING + "=1" + now + ", so TCP shrinks its segments after repeated timeouts. "
                + (smallPaths ? "Where a tunnel or a smaller MTU is on the path, clamp MSS to it: iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu. " : "")
                + "Confirm with ss -ti dst ", destinations.isEmpty() ? "<address>" : destinations.get(0), " (backoff:, mss:, pmtu:).");
    }
}

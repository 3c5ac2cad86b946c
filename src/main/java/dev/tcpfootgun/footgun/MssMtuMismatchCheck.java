package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Seed section 7: MSS is the MTU minus 40 bytes of IP and TCP headers at best, and a tunnel takes
 * its encapsulation on top. A tunnel whose MTU plus its overhead exceeds the underlay's MTU sends
 * frames the underlay must fragment or drop, and one that fits only the lightest variant of its
 * overhead (IPv4 underlay, lightest IPsec cipher) may: both are interface settings, so advice. Per
 * socket, an MSS measured above what the path MTU allows is critical; a path MTU lowered below the
 * advertised MSS is evidence.
 */
public final class MssMtuMismatchCheck implements Check {

    /** Sockets named in the evidence; the rest are counted. */
    static final int SOCKETS_SHOWN = 3;

    static final String CLAMP = "Or clamp MSS on the firewall: iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN "
            + "-j TCPMSS --clamp-mss-to-pmtu. Check the effective MSS with ss -ti (mss:, advmss:, pmtu:).";

    @Override
    public Footgun footgun() {
        return Footgun.MSS_MTU_MISMATCH;
    }

    @Override
    public Finding judge(Observation o) {
        List<NetInterface> links = o.now().interfaces().value().orElse(null);
        if (links == null) {
            return Finding.unknown(footgun(), o.now().interfaces().problem(), "Lower each tunnel's MTU by its encapsulation overhead "
                    + "(VXLAN " + Encapsulation.VXLAN.overheadText() + ", WireGuard " + Encapsulation.WIREGUARD.overheadText()
                    + ", GRE " + Encapsulation.GRE.overheadText() + "). " + CLAMP);
        }
        Optional<NetInterface> underlay = Links.underlay(links);
        long underMtu = underlay.isPresent() ? underlay.get().mtu() : KernelFacts.ETHERNET_MTU;
        boolean hazard = false;
        for (NetInterface link : links) {
            if (link.operUp()) {
                Encapsulation e = Encapsulation.ofKind(link.kind()).orElse(null);
                hazard |= e != null && (link.mtu() + e.smallest() > underMtu || e.varies() && link.mtu() + e.largest() > underMtu);
            }
        }
        SocketTable table = o.now().sockets().value().orElse(null);
        double risk = table != null && anyOversized(table.detailed()) ? Status.CRITICAL_AT : 0;
        return Finding.of(footgun(), risk, hazard, Finding.Explanation.later(() -> explain(o, links)));
    }

    /** Whether some connection sends segments larger than its path MTU allows. */
    private static boolean anyOversized(DetailedSockets sockets) {
        for (int i = 0; i < sockets.size(); i++) {
            if (sockets.hasInfo(i) && !sockets.isListening(i)) {
                long pmtu = sockets.pmtu(i);
                long sndMss = sockets.sndMss(i);
                if (pmtu > 0 && sndMss > 0 && sndMss > pmtu - KernelFacts.IP_TCP_HEADER_BYTES) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The evidence and fix: what {@link #judge} decided, in words (it decides again, from the same snapshot). */
    private static Finding.Explanation explain(Observation o, List<NetInterface> links) {
        List<Prose> evidence = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        Optional<NetInterface> underlay = Links.underlay(links);
        long underMtu = underlay.map(NetInterface::mtu).orElse((long) KernelFacts.ETHERNET_MTU);
        String under = underlay.map(u -> u.name() + " MTU " + u.mtu())
                .orElse("an assumed MTU " + KernelFacts.ETHERNET_MTU + " (no physical or veth interface is up)");

        List<Links.Tunnel> tunnels = Links.tunnels(links);
        if (tunnels.isEmpty()) {
            evidence.add(Prose.format(
                    "no tunnel interface (vxlan, geneve, gre, ipip, sit, wireguard, xfrm, vti) is up; over %s TCP's MSS is at most %d",
                    under, underMtu - KernelFacts.IP_TCP_HEADER_BYTES));
        }
        for (Links.Tunnel t : tunnels) {
            NetInterface link = t.link();
            Encapsulation e = t.encapsulation();
            String name = link.name() + " (" + e.label() + ")";
            long fits = underMtu - e.smallest();
            long fitsAll = underMtu - e.largest();
            if (link.mtu() + e.smallest() > underMtu) {
                evidence.add(Prose.format(
                        "%s has MTU %d over %s: %s needs %d bytes, so %d-byte frames are fragmented or dropped",
                        name, link.mtu(), under, e.label(), e.smallest(), link.mtu() + e.smallest()));
                fixes.add("ip link set dev " + link.name() + " mtu " + fits
                        + (fitsAll >= fits ? "" : e.varies()
                                ? " (" + fitsAll + " to hold over IPv6 or the heaviest cipher too)"
                                : " (" + fitsAll + " over an IPv6 underlay)"));
            } else if (e.varies() && link.mtu() + e.largest() > underMtu) {
                evidence.add(Prose.format(
                        "%s has MTU %d over %s: room for %d bytes of %s overhead, but it takes up to %d (over IPv6, or with the heaviest IPsec cipher)",
                        name, link.mtu(), under, underMtu - link.mtu(), e.label(), e.largest()));
                fixes.add("if " + link.name() + " runs over IPv6 or a heavier cipher: ip link set dev " + link.name() + " mtu " + fitsAll);
            } else {
                evidence.add(Prose.format(
                        "%s has MTU %d over %s, room for its %d bytes%s; TCP's MSS through it is at most %d",
                        name, link.mtu(), under, e.smallest(),
                        e.largest() == e.smallest() ? "" : link.mtu() + e.largest() > underMtu
                                ? " (not for the " + e.largest() + " it takes over an IPv6 underlay)"
                                : " (" + e.largest() + " over IPv6 too)",
                        link.mtu() - KernelFacts.IP_TCP_HEADER_BYTES));
            }
        }

        double risk = judgeSockets(o, evidence);
        String fix = (fixes.isEmpty() ? "" : "Lower the tunnel MTU by its encapsulation overhead: " + String.join("; ", fixes) + ". ")
                + "A fixed MTU or MSS must leave room for the encapsulation (VXLAN " + Encapsulation.VXLAN.overheadText()
                + ", GRE " + Encapsulation.GRE.overheadText() + ", WireGuard " + Encapsulation.WIREGUARD.overheadText()
                + ", IPsec " + Encapsulation.VTI.overheadText() + ") plus " + KernelFacts.IP_TCP_HEADER_BYTES
                + " bytes of IP and TCP headers. " + CLAMP;
        return Finding.Explanation.of(evidence, Prose.of(fix));
    }

    /** An MSS above what the socket's path MTU allows, or a path MTU shrunk below what the socket advertised. */
    private static double judgeSockets(Observation o, List<Prose> evidence) {
        SocketTable table = o.now().sockets().value().orElse(null);
        if (table == null) {
            evidence.add(Prose.of("per-socket MSS not judged: " + o.now().sockets().problem()));
            return 0;
        }
        DetailedSockets sockets = table.detailed();
        List<TcpSocket> oversized = new ArrayList<>();
        List<TcpSocket> lowered = new ArrayList<>();
        boolean anyInfo = false;
        for (int i = 0; i < sockets.size(); i++) {
            if (!sockets.hasInfo(i)) {
                continue;
            }
            anyInfo = true;
            if (sockets.isListening(i) || sockets.pmtu(i) <= 0 || sockets.sndMss(i) <= 0) {
                continue;
            }
            long allowed = sockets.pmtu(i) - KernelFacts.IP_TCP_HEADER_BYTES;
            if (sockets.sndMss(i) > allowed) {
                oversized.add(sockets.socket(i));
            } else if (sockets.advMss(i) > allowed) {
                lowered.add(sockets.socket(i));
            }
        }
        if (sockets.size() > 0 && !anyInfo) {
            evidence.add(Prose.of("per-socket MSS not judged: " + table.origin().withoutTcpInfo()));
        }
        double risk = 0;
        if (!oversized.isEmpty()) {
            risk = Status.CRITICAL_AT;
            oversized.sort(Comparator.comparingLong((TcpSocket s) -> s.info().sndMss() - s.info().pmtu()).reversed());
            evidence.add(describe(oversized.size(), "sending segments larger than the path allows", oversized,
                    s -> Prose.format("%s: snd_mss %d, path MTU %d allows %d", s.remote(), s.info().sndMss(),
                            s.info().pmtu(), s.info().pmtu() - KernelFacts.IP_TCP_HEADER_BYTES)));
        }
        if (!lowered.isEmpty()) {
            lowered.sort(Comparator.comparingLong((TcpSocket s) -> s.info().pmtu()));
            evidence.add(describe(lowered.size(),
                    "on a path MTU below the MSS advertised to the peer (the peer's full-size segments then depend on ICMP fragmentation-needed or MSS clamping)",
                    lowered, s -> Prose.format("%s: path MTU %d allows MSS %d, advertised %d", s.remote(),
                            s.info().pmtu(), s.info().pmtu() - KernelFacts.IP_TCP_HEADER_BYTES, s.info().advMss())));
        }
        return risk;
    }

    private static Prose describe(int count, String what, List<TcpSocket> sockets, Function<TcpSocket, Prose> one) {
        List<Prose> shown = sockets.stream().map(one).distinct().limit(SOCKETS_SHOWN).toList();
        return Prose.of(count + (count == 1 ? " connection " : " connections ") + what + ": ", Prose.join("; ", shown),
                count > SOCKETS_SHOWN ? "; and " + (count - SOCKETS_SHOWN) + " more" : "");
    }
}

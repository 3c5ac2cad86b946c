package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Seed section 3: a connection cannot have more in flight than the receive window, nor queue more
 * than its send buffer, so throughput is capped at window / RTT. tcp_info (4.10+) says how much of
 * a socket's sending time (busy_time) it spent waiting on the peer's receive window (rwnd_limited)
 * or on its own send buffer (sndbuf_limited). Risk is the share of busy time the worst destination
 * spent limited by a window that, at its RTT, carries less than the seed's 1 Gbit/s: a limited
 * socket whose window already carries more is limited by its reader, not by buffer sizes. The RTT
 * that sets that ceiling is the path's (min_rtt, 4.6+), not the smoothed RTT: a peer that answers
 * late, delayed ACKs or a reader that pauses inflate srtt (a 35 ms think time on loopback reads as a
 * 35 ms srtt over a 0.01 ms path) and would make any window look too small for the path.
 */
public final class SmallSocketBuffersCheck implements Check {

    /** Runs of blanks in tcp_rmem/tcp_wmem, compiled once rather than by replaceAll at each scrape. */
    private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

    /** A socket must have spent this long sending (busy_time) before its limited share means anything. */
    static final long BUSY_ENOUGH_MICROS = 1_000_000;

    @Override
    public Footgun footgun() {
        return Footgun.SMALL_SOCKET_BUFFERS;
    }

    private enum Limit {
        PEER_WINDOW("the peer's receive window"),
        SEND_BUFFER("the send buffer");

        final String text;

        Limit(String text) {
            this.text = text;
        }
    }

    /** One busy socket: its times, which limit dominated, the window that limit gives and its RTT. */
    private record Busy(long busyMicros, long limitedMicros, Limit limit, long windowBytes, long rttMicros) {
        static Busy of(TcpSocket s) {
            TcpInfo i = s.info();
            long rwnd = Math.max(0, i.rwndLimitedMicros());
            long sndbuf = Math.max(0, i.sndbufLimitedMicros());
            Limit limit = rwnd >= sndbuf ? Limit.PEER_WINDOW : Limit.SEND_BUFFER;
            long window = limit == Limit.PEER_WINDOW
                    ? (i.hasSndWnd() ? i.sndWnd() : -1)
                    : (s.memory() != null ? s.memory().sndBuf() : -1);
            return new Busy(i.busyTimeMicros(), rwnd + sndbuf, limit, window, pathRttMicros(i));
        }

        /** The path's RTT: min_rtt where the kernel reports it, else the smoothed RTT (before 4.6). */
        static long pathRttMicros(TcpInfo i) {
            return i.hasMinRtt() && i.minRttMicros() > 0 ? i.minRttMicros() : i.rttMicros();
        }

        /** What one connection can carry through this window at this RTT; NaN when either is unknown. */
        double ceiling() {
            return windowBytes >= 0 && rttMicros > 0 ? windowBytes * 1e6 / rttMicros : Double.NaN;
        }

        /** Limited by a window too small for the reference link; an unknown window counts as small. */
        boolean bufferBound() {
            double c = ceiling();
            return Double.isNaN(c) || c < KernelFacts.BDP_EXAMPLE_LINK_BYTES_PER_SECOND;
        }
    }

    /** The busy sockets towards one peer. */
    private static final class Group {
        final ConnectionPeers.Peer peer;
        final List<Busy> sockets = new ArrayList<>();
        long busy;
        long limited;
        long boundLimited;

        Group(ConnectionPeers.Peer peer) {
            this.peer = peer;
        }

        void add(Busy b) {
            sockets.add(b);
            busy += b.busyMicros;
            limited += b.limitedMicros;
            if (b.bufferBound()) {
                boundLimited += b.limitedMicros;
            }
        }

        double share() {
            return busy == 0 ? 0 : (double) boundLimited / busy;
        }

        /** The socket whose limited time weighs most: the one the evidence describes. */
        Busy typical() {
            return sockets.stream().max(Comparator.comparingLong(Busy::limitedMicros)).orElseThrow();
        }
    }

    @Override
    public Finding judge(Observation o) {
        NodeSnapshot now = o.now();
        Sysctls sysctls = now.sysctls().value().orElse(null);
        String missing = TcpInfoAvailability.missing(now, TcpInfo::hasLimitedTimes,
                "tcp_info busy_time, rwnd_limited and sndbuf_limited", "4.10");
        if (missing != null) {
            return Finding.unknown(footgun(), missing, () -> Prose.of(fix(sysctls, 0)));
        }
        SocketTable table = now.sockets().value().orElseThrow();
        DetailedSockets d = table.detailed();
        ConnectionPeers peers = null;
        Map<ConnectionPeers.Peer, Group> groups = new LinkedHashMap<>();
        int established = 0;
        long longestRtt = 0;
        for (int i = 0; i < d.size(); i++) {
            if (d.state(i) != TcpState.ESTABLISHED || !d.hasInfo(i) || !d.hasLimitedTimes(i)) {
                continue;
            }
            established++;
            if (d.busyTimeMicros(i) < BUSY_ENOUGH_MICROS) {
                continue;
            }
            TcpSocket s = d.socket(i); // a busy socket: few a scrape
            longestRtt = Math.max(longestRtt, Busy.pathRttMicros(s.info()));
            if (peers == null) {
                peers = o.listeningPeers(); // most scrapes have no busy socket, and need no peers
            }
            groups.computeIfAbsent(peers.of(s), Group::new).add(Busy.of(s));
        }
        Group worst = null;
        for (Group g : groups.values()) {
            if (worst == null || g.share() > worst.share() || g.share() == worst.share() && g.limited > worst.limited) {
                worst = g;
            }
        }
        double risk = worst != null && worst.limited > 0 ? worst.share() : 0;
        int establishedSockets = established;
        long longestPathRtt = longestRtt;
        Group worstGroup = worst;
        return Finding.of(footgun(), risk, false, Finding.Explanation.later(() -> Finding.Explanation.of(
                evidence(table.open(), sysctls, groups, worstGroup, establishedSockets, longestPathRtt),
                Prose.of(fix(sysctls, longestPathRtt)))));
    }

    private static List<Prose> evidence(List<TcpSocket> sockets, Sysctls sysctls, Map<ConnectionPeers.Peer, Group> groups,
            Group worst, int established, long longestRtt) {
        List<Prose> evidence = new ArrayList<>();
        int busySockets = 0;
        for (Group g : groups.values()) {
            busySockets += g.sockets.size();
        }
        evidence.add(Prose.format("%d of %d established sockets have sent for at least %.0f s (tcp_info busy_time)",
                busySockets, established, BUSY_ENOUGH_MICROS / 1e6));
        if (worst != null && worst.limited > 0) {
            evidence.add(describe(worst));
        } else if (worst != null) {
            evidence.add(Prose.of("no busy socket waited on a receive window or a send buffer"));
        }
        String ceilings = ceilings(sysctls, longestRtt);
        if (ceilings != null) {
            evidence.add(Prose.of(ceilings));
        }
        String capped = capped(sockets, sysctls);
        if (capped != null) {
            evidence.add(Prose.of(capped));
        }
        Prose shrunk = setBelowDefault(sockets, sysctls);
        if (shrunk != null) {
            evidence.add(shrunk);
        }
        return evidence;
    }

    private static Prose describe(Group g) {
        Busy t = g.typical();
        Prose head = Prose.format("%s: %d socket%s spent %.0f %% of %s %.1f s busy time limited by %s",
                g.peer.named(), g.sockets.size(), g.sockets.size() == 1 ? "" : "s", 100.0 * g.limited / g.busy,
                g.sockets.size() == 1 ? "its" : "their", g.busy / 1e6, t.limit.text);
        if (Double.isNaN(t.ceiling())) {
            return Prose.of(head, " (window size not reported by this kernel)");
        }
        String cap = String.format(Locale.ROOT, "at %s path RTT a %d-byte window caps one connection at %s",
                Figures.millis(t.rttMicros), t.windowBytes, Figures.rate(t.ceiling()));
        if (t.bufferBound()) {
            long bdp = KernelFacts.BDP_EXAMPLE_LINK_BYTES_PER_SECOND * t.rttMicros / 1_000_000;
            return Prose.of(head, "; " + cap + " (1 Gbit/s needs " + bdp + " bytes)");
        }
        return Prose.of(head, ", but " + cap + ", above 1 Gbit/s: the window is big enough, the reader is slower than the sender");
    }

    /** What this node's limits allow one connection at the longest RTT among busy sockets. */
    private static String ceilings(Sysctls s, long rttMicros) {
        if (s == null) {
            return null;
        }
        OptionalLong rmemMax = s.number("net.core.rmem_max");
        long tcpRmemMax = third(s, "net.ipv4.tcp_rmem");
        if (rmemMax.isEmpty() || tcpRmemMax < 0) {
            return null;
        }
        String head = String.format(Locale.ROOT, "net.core.rmem_max %d, net.ipv4.tcp_rmem maximum %d",
                rmemMax.getAsLong(), tcpRmemMax);
        if (rttMicros <= 0) {
            return head;
        }
        return head + String.format(Locale.ROOT,
                ": at %s, the longest path RTT among busy sockets, an autotuned window caps one connection at %s, "
                        + "a window an application sets with SO_RCVBUF at %s",
                Figures.millis(rttMicros), Figures.rate(tcpRmemMax * 1e6 / rttMicros),
                Figures.rate(rmemMax.getAsLong() * 1e6 / rttMicros));
    }

    /** Sockets whose buffers sit at the node's cap: autotuning, or an application's setsockopt, can go no higher. */
    private static String capped(List<TcpSocket> sockets, Sysctls s) {
        if (s == null) {
            return null;
        }
        long rcvCap = third(s, "net.ipv4.tcp_rmem");
        long sndCap = third(s, "net.ipv4.tcp_wmem");
        long rcvSet = s.number("net.core.rmem_max").orElse(-1) * KernelFacts.SOCKOPT_BUFFER_FACTOR;
        long sndSet = s.number("net.core.wmem_max").orElse(-1) * KernelFacts.SOCKOPT_BUFFER_FACTOR;
        int rcv = 0;
        int snd = 0;
        for (TcpSocket t : sockets) {
            if (t.state() != TcpState.ESTABLISHED || t.memory() == null) {
                continue;
            }
            long rb = t.memory().rcvBuf();
            long sb = t.memory().sndBuf();
            // rcv_space is autotuning's estimate of what the sender delivers per RTT; at half the
            // buffer it wanted to grow it further
            boolean wantsMore = t.info() != null && t.info().rcvSpace() > 0 && t.info().rcvSpace() * 2 >= rb;
            if (wantsMore && rb > 0 && ((rcvCap > 0 && rb >= rcvCap) || rb == rcvSet)) {
                rcv++;
            }
            boolean sendLimited = t.info() != null && t.info().hasLimitedTimes() && t.info().sndbufLimitedMicros() > 0;
            if (sendLimited && sb > 0 && ((sndCap > 0 && sb >= sndCap) || sb == sndSet)) {
                snd++;
            }
        }
        if (rcv == 0 && snd == 0) {
            return null;
        }
        return String.format(Locale.ROOT,
                "%d receiving socket%s at the receive-buffer cap while autotuning asks for more, %d send-buffer-limited socket%s at the send-buffer cap",
                rcv, rcv == 1 ? "" : "s", snd, snd == 1 ? "" : "s");
    }

    /** The node's own min or default of tcp_rmem/tcp_wmem (only the maximum needs raising), else the seed's. */
    private static long field(Sysctls s, String name, int index, long seed) {
        return s == null ? seed : s.numbers(name).filter(v -> v.length == 3).map(v -> v[index]).orElse(seed);
    }

    /**
     * Receive buffers below tcp_rmem's default: autotuning starts there and only grows, so a smaller
     * one was set with SO_RCVBUF, which also switches autotuning off for that socket.
     */
    private static Prose setBelowDefault(List<TcpSocket> sockets, Sysctls s) {
        long initial = s == null ? -1 : s.numbers("net.ipv4.tcp_rmem").filter(v -> v.length == 3).map(v -> v[1]).orElse(-1L);
        if (initial <= 0) {
            return null;
        }
        int n = 0;
        TcpSocket smallest = null;
        for (TcpSocket t : sockets) {
            if (t.state() == TcpState.ESTABLISHED && t.memory() != null && t.memory().rcvBuf() > 0 && t.memory().rcvBuf() < initial) {
                n++;
                if (smallest == null || t.memory().rcvBuf() < smallest.memory().rcvBuf()) {
                    smallest = t;
                }
            }
        }
        if (n == 0) {
            return null;
        }
        return Prose.format(
                "%d established socket%s receive into a buffer below tcp_rmem's default %d bytes, the smallest %d bytes on %s "
                        + "(from %s): an application set SO_RCVBUF, which also switches autotuning off",
                n, n == 1 ? "" : "s", initial, smallest.memory().rcvBuf(), smallest.local(), smallest.remote());
    }

    private static long third(Sysctls s, String name) {
        return s.numbers(name).filter(v -> v.length == 3).map(v -> v[2]).orElse(-1L);
    }

    private static String fix(Sysctls s, long longestRttMicros) {
        long bdp = KernelFacts.BDP_EXAMPLE_LINK_BYTES_PER_SECOND * longestRttMicros / 1_000_000;
        long target = KernelFacts.RECOMMENDED_BUFFER_MAX_BYTES;
        while (target < bdp) {
            target *= 2;
        }
        // never advise lowering a limit that is already higher
        long rmemMax = Math.max(target, s == null ? 0 : s.number("net.core.rmem_max").orElse(0));
        long wmemMax = Math.max(target, s == null ? 0 : s.number("net.core.wmem_max").orElse(0));
        long tcpRmemMax = Math.max(target, s == null ? 0 : third(s, "net.ipv4.tcp_rmem"));
        long tcpWmemMax = Math.max(target, s == null ? 0 : third(s, "net.ipv4.tcp_wmem"));
        String now = "";
        if (s != null) {
            now = String.format(Locale.ROOT, " (now rmem_max %s, wmem_max %s, tcp_rmem \"%s\", tcp_wmem \"%s\")",
                    s.string("net.core.rmem_max").orElse("?"), s.string("net.core.wmem_max").orElse("?"),
                    s.string("net.ipv4.tcp_rmem").map(v -> BLANKS.matcher(v).replaceAll(" ")).orElse("?"),
                    s.string("net.ipv4.tcp_wmem").map(v -> BLANKS.matcher(v).replaceAll(" ")).orElse("?"));
        }
        String bdpText = longestRttMicros > 0
                ? String.format(Locale.ROOT, "; the longest path RTT among busy sockets is %s, so 1 Gbit/s needs %d bytes in flight",
                        Figures.millis(longestRttMicros), bdp)
                : "";
        return String.format(Locale.ROOT,
                "Size buffers for the bandwidth-delay product (rate x RTT) of the longest paths%s. "
                        + "sysctl -w net.core.rmem_max=%d net.core.wmem_max=%d; "
                        + "sysctl -w net.ipv4.tcp_rmem=\"%d %d %d\" net.ipv4.tcp_wmem=\"%d %d %d\"%s. "
                        + "The last field of tcp_rmem/tcp_wmem is the autotuning maximum; an application that sets SO_RCVBUF or "
                        + "SO_SNDBUF turns autotuning off and is capped at rmem_max/wmem_max: drop that call or size it for the BDP. "
                        + "A peer that reads slowly is fixed in its application, not here.",
                bdpText, rmemMax, wmemMax,
                field(s, "net.ipv4.tcp_rmem", 0, KernelFacts.RECOMMENDED_TCP_RMEM_MIN_BYTES),
                field(s, "net.ipv4.tcp_rmem", 1, KernelFacts.RECOMMENDED_TCP_RMEM_DEFAULT_BYTES), tcpRmemMax,
                field(s, "net.ipv4.tcp_wmem", 0, KernelFacts.RECOMMENDED_TCP_WMEM_MIN_BYTES),
                field(s, "net.ipv4.tcp_wmem", 1, KernelFacts.RECOMMENDED_TCP_WMEM_DEFAULT_BYTES), tcpWmemMax, now);
    }
}

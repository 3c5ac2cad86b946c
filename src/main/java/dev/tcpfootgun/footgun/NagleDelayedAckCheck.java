package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Seed sections 4 and 5: Nagle holds a small write while earlier data is unacknowledged, and the
 * peer's delayed ACK holds that acknowledgement 40-200 ms, so a write-write-read exchange stalls
 * for a delayed-ACK timeout per request.
 *
 * <p>A stall in the RTT alone is not Nagle: a TCP_NODELAY client whose server thinks 35 ms, or whose
 * own pauses hold back the ACK of the server's reply, has the same smoothed RTT on a fast path
 * (measured: 35 ms ± 0.2 and 32 ms ± 5 against Nagle's 22 ms ± 23, min RTT 0.01 ms in all three).
 * What only Nagle leaves is data held back: bytes written but not sent (tcpi_notsent_bytes) behind
 * a sub-MSS segment still unacknowledged, with congestion and peer windows open, which is Nagle's own
 * test (tcp_nagle_test). Measured on loopback: the Nagle client shows notsent 100 behind 99 bytes in
 * flight (unacked 1, cwnd 18) at almost every instant, since each request spends 40 ms stalled and
 * 0.1 ms moving; the slow-peer and pausing look-alikes show notsent 0. DelayedACKs rose 88 in 4 s
 * with Nagle, but 5 and 9 for the look-alikes, so it raises the level only beside a held socket.
 *
 * <p>Smoothed RTT mixes the stalled samples with the fast ones (with a stall on every other write
 * it settles near half the stall), so the stall is estimated as srtt + rttvar: the mean plus the
 * mean deviation, which is the stall when every sample or every other sample carries one.
 */
public final class NagleDelayedAckCheck implements Check {

    /** A path is fast when its minimum RTT is at most this: a LAN, a datacenter, loopback. */
    static final long FAST_PATH_MIN_RTT_MICROS = 5_000;

    /** The band is widened by this share on both sides: timer granularity and RTT smoothing blur its edges. */
    static final double BAND_SLACK = 0.25;

    static final long BAND_LOW_MICROS = (long) (KernelFacts.DELAYED_ACK_MIN_MILLIS * 1000 * (1 - BAND_SLACK));
    static final long BAND_HIGH_MICROS = (long) (KernelFacts.DELAYED_ACK_MAX_MILLIS * 1000 * (1 + BAND_SLACK));

    /** A socket with fewer data segments sent has too few RTT samples to judge. */
    static final long MIN_DATA_SEGMENTS_OUT = 10;


    @Override
    public Footgun footgun() {
        return Footgun.NAGLE_DELAYED_ACK;
    }

    /** One stalled socket. */
    private record Stalled(TcpInfo info) {
        long stallMicros() {
            return stallMicros(info);
        }

        /** The stall of a socket's tcp_info, without a record for each socket the judge looks at. */
        static long stallMicros(TcpInfo info) {
            return info.rttMicros() + Math.max(0, info.rttVarMicros());
        }

        /**
         * Nagle is holding data back right now: bytes written but unsent behind a sub-MSS amount still
         * unacknowledged, while neither the congestion window nor the peer's window is what stops them.
         */
        static boolean holdsDataBack(TcpInfo info) {
            if (info.notsentBytes() <= 0 || info.unacked() <= 0 || info.sndMss() <= 0) {
                return false;
            }
            long inFlight = inFlightBytes(info);
            boolean smallInFlight = inFlight >= 0 ? inFlight < info.sndMss() : info.unacked() == 1;
            boolean cwndOpen = info.sndCwnd() <= 0 || info.unacked() < info.sndCwnd();
            boolean peerWindowOpen = info.sndWnd() <= 0 || info.sndWnd() >= Math.max(0, inFlight) + Math.min(info.notsentBytes(), info.sndMss());
            return smallInFlight && cwndOpen && peerWindowOpen;
        }

        /** Bytes sent and not yet acknowledged, or -1 when the kernel does not report bytes_sent (before 4.19). */
        static long inFlightBytes(TcpInfo info) {
            if (info.bytesSent() < 0 || info.bytesAcked() < 0) {
                return -1;
            }
            return Math.max(0, info.bytesSent() - Math.max(0, info.bytesRetrans()) - info.bytesAcked());
        }

        /** Average payload per data segment sent, or -1 when the kernel does not report both counters. */
        long averageSegmentBytes() {
            long bytes = info.bytesSent() >= 0 ? info.bytesSent() : info.bytesAcked();
            return bytes >= 0 && info.dataSegsOut() > 0 ? bytes / info.dataSegsOut() : -1;
        }
    }

    @Override
    public Finding judge(Observation o) {
        String missing = TcpInfoAvailability.missing(o.now(), TcpInfo::hasMinRtt, "tcp_info min_rtt", "4.6");
        if (missing != null) {
            return Finding.unknown(footgun(), missing, fix(null));
        }
        DetailedSockets sockets = o.now().sockets().value().orElseThrow().detailed();
        List<TcpSocket> held = new ArrayList<>();
        int fast = 0;
        int inBandOnly = 0;
        for (int s = 0; s < sockets.size(); s++) {
            if (sockets.state(s) != TcpState.ESTABLISHED || !sockets.hasInfo(s) || !sockets.hasMinRtt(s)
                    || sockets.minRttMicros(s) > FAST_PATH_MIN_RTT_MICROS || sockets.dataSegsOut(s) < MIN_DATA_SEGMENTS_OUT) {
                continue;
            }
            fast++;
            // Stalled.stallMicros, read from the columns: only a socket in the band is looked at further
            long stall = sockets.rttMicros(s) + Math.max(0, sockets.rttVarMicros(s));
            if (stall >= BAND_LOW_MICROS && stall <= BAND_HIGH_MICROS) {
                TcpSocket socket = sockets.socket(s);
                if (Stalled.holdsDataBack(socket.info())) {
                    held.add(socket);
                } else {
                    inBandOnly++;
                }
            }
        }
        OptionalDouble delayed = o.now().counterIncrease(o.previous(), "TcpExt", "DelayedACKs");
        boolean delaying = delayed.isPresent() && delayed.getAsDouble() > 0;
        double risk = held.isEmpty() ? 0 : delaying ? Status.CRITICAL_AT : Status.WARN_AT;
        int fastSockets = fast;
        int inBand = inBandOnly;
        return Finding.of(footgun(), risk, false,
                Finding.Explanation.later(() -> explain(o, held, fastSockets, inBand, delaying ? delayed.getAsDouble() : 0)));
    }

    /** The evidence and fix of the sockets {@link #judge} found holding data back; {@code delayed}: DelayedACKs' rise, 0 for none. */
    private static Finding.Explanation explain(Observation o, List<TcpSocket> held, int fast, int inBandOnly, double delayed) {
        ConnectionPeers peers = o.listeningPeers();
        Map<ConnectionPeers.Peer, List<Stalled>> groups = new LinkedHashMap<>();
        for (TcpSocket s : held) {
            groups.computeIfAbsent(peers.of(s), k -> new ArrayList<>()).add(new Stalled(s.info()));
        }
        List<Prose> evidence = new ArrayList<>();
        int stalled = held.size();
        evidence.add(Prose.format(
                "%d of %d established sockets on fast paths (min RTT up to %s) hold written data back behind an unacknowledged "
                        + "small segment, with stalls in the delayed-ACK band (smoothed RTT + RTT variance %d-%d ms)",
                stalled, fast, Figures.millis(FAST_PATH_MIN_RTT_MICROS), BAND_LOW_MICROS / 1000, BAND_HIGH_MICROS / 1000));
        if (inBandOnly > 0) {
            evidence.add(Prose.format(
                    "%d more socket%s stall in that band with nothing held back: a peer slow to answer, or pauses between requests, not Nagle",
                    inBandOnly, inBandOnly == 1 ? "" : "s"));
        }
        Map.Entry<ConnectionPeers.Peer, List<Stalled>> worst = groups.entrySet().stream()
                .max(Comparator.comparingInt((Map.Entry<ConnectionPeers.Peer, List<Stalled>> e) -> e.getValue().size())
                        .thenComparingLong(e -> e.getValue().stream().mapToLong(Stalled::stallMicros).max().orElse(0)))
                .orElse(null);
        if (worst != null) {
            evidence.add(describe(worst.getKey(), worst.getValue()));
            if (groups.size() > 1) {
                evidence.add(Prose.of((groups.size() - 1) + " more destination" + (groups.size() == 2 ? "" : "s") + " show the same stall"));
            }
        }
        if (delayed > 0) {
            double seconds = o.now().secondsSince(o.previous());
            evidence.add(Prose.format("TcpExt DelayedACKs rose by %.0f in %.1f s (%.1f/s): delayed-ACK timers are firing",
                    delayed, seconds, seconds > 0 ? delayed / seconds : 0));
        }
        return Finding.Explanation.of(evidence, fix(worst == null ? null : worst.getKey()));
    }

    private static Prose describe(ConnectionPeers.Peer peer, List<Stalled> stalled) {
        Stalled t = stalled.stream().max(Comparator.comparingLong(Stalled::stallMicros)).orElseThrow();
        TcpInfo i = t.info();
        long avg = t.averageSegmentBytes();
        long inFlight = Stalled.inFlightBytes(i);
        return Prose.format(
                "%s: %d connection%s on a %s path (min RTT) %s %d bytes written but unsent behind %s unacknowledged (Nagle waits "
                        + "for the ACK the peer delays); a smoothed RTT of %s ± %s, stalls of about %s per exchange, "
                        + "in the %d-%d ms delayed-ACK band%s",
                peer.named(), stalled.size(), stalled.size() == 1 ? "" : "s", Figures.millis(i.minRttMicros()),
                stalled.size() == 1 ? "holds" : "hold, at worst,", i.notsentBytes(),
                inFlight >= 0 ? inFlight + " bytes" : i.unacked() + " segment", Figures.millis(i.rttMicros()),
                Figures.millis(i.rttVarMicros()), Figures.millis(t.stallMicros()), KernelFacts.DELAYED_ACK_MIN_MILLIS,
                KernelFacts.DELAYED_ACK_MAX_MILLIS,
                avg >= 0 ? Prose.rootFormat("; it sends %d bytes per segment on average (MSS %d)", avg, i.sndMss()) : "");
    }

    private static Prose fix(ConnectionPeers.Peer peer) {
        Prose where = peer == null ? Prose.of("request-response sockets")
                : peer.clients() ? Prose.of("the sockets the server on ", peer.end(), " accepts")
                : Prose.of("the sockets that connect to ", peer.end());
        return Prose.of("Set TCP_NODELAY on ", where, " (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1); Java Socket.setTcpNoDelay(true); "
                + "most HTTP/2, gRPC and database clients already do), or send each request with one write(). "
                + "Nagle belongs only on bulk transfers; with it, each write-write-read exchange waits for the peer's "
                + KernelFacts.DELAYED_ACK_MIN_MILLIS + "-" + KernelFacts.DELAYED_ACK_MAX_MILLIS + " ms delayed ACK.");
    }
}

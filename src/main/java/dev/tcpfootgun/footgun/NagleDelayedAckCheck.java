package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Seed sections 4 and 5: Nagle holds a small write while earlier data is unacknowledged, and the
 * peer's delayed ACK holds that acknowledgement 40-200 ms, so a write-write-read exchange stalls
 * for a delayed-ACK timeout per request. The trace in tcp_info: a fast path (min_rtt of a few ms)
 * whose RTT samples include stalls in the delayed-ACK band, on a socket that writes small segments.
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

    /** Segments averaging less than this share of the MSS are small writes, the ones Nagle holds back. */
    static final double SMALL_SEGMENT_SHARE_OF_MSS = 0.5;

    @Override
    public Footgun footgun() {
        return Footgun.NAGLE_DELAYED_ACK;
    }

    /** One stalled socket. */
    private record Stalled(TcpInfo info) {
        long stallMicros() {
            return info.rttMicros() + Math.max(0, info.rttVarMicros());
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
        List<TcpSocket> sockets = o.now().sockets().value().open();
        ConnectionPeers peers = ConnectionPeers.of(sockets);
        Map<String, List<Stalled>> groups = new LinkedHashMap<>();
        int fast = 0;
        for (TcpSocket s : sockets) {
            TcpInfo i = s.info();
            if (s.state() != TcpState.ESTABLISHED || i == null || !i.hasMinRtt()
                    || i.minRttMicros() > FAST_PATH_MIN_RTT_MICROS || i.dataSegsOut() < MIN_DATA_SEGMENTS_OUT) {
                continue;
            }
            fast++;
            Stalled st = new Stalled(i);
            long stall = st.stallMicros();
            long avg = st.averageSegmentBytes();
            boolean smallWrites = avg < 0 || i.sndMss() <= 0 || avg < i.sndMss() * SMALL_SEGMENT_SHARE_OF_MSS;
            if (stall >= BAND_LOW_MICROS && stall <= BAND_HIGH_MICROS && smallWrites) {
                groups.computeIfAbsent(peers.of(s), k -> new ArrayList<>()).add(st);
            }
        }
        List<String> evidence = new ArrayList<>();
        int stalled = groups.values().stream().mapToInt(List::size).sum();
        evidence.add(String.format(Locale.ROOT,
                "%d of %d established sockets on fast paths (min RTT up to %s) show delayed-ACK stalls (smoothed RTT + RTT variance %d-%d ms)",
                stalled, fast, Figures.millis(FAST_PATH_MIN_RTT_MICROS), BAND_LOW_MICROS / 1000, BAND_HIGH_MICROS / 1000));
        Map.Entry<String, List<Stalled>> worst = groups.entrySet().stream()
                .max(Comparator.comparingInt((Map.Entry<String, List<Stalled>> e) -> e.getValue().size())
                        .thenComparingLong(e -> e.getValue().stream().mapToLong(Stalled::stallMicros).max().orElse(0)))
                .orElse(null);
        double risk = 0;
        if (worst != null) {
            risk = Status.WARN_AT;
            evidence.add(describe(worst.getKey(), worst.getValue()));
            if (groups.size() > 1) {
                evidence.add((groups.size() - 1) + " more destination" + (groups.size() == 2 ? "" : "s") + " show the same stall");
            }
        }
        OptionalDouble delayed = o.now().counterIncrease(o.previous(), "TcpExt", "DelayedACKs");
        if (delayed.isPresent() && delayed.getAsDouble() > 0) {
            double seconds = o.now().secondsSince(o.previous());
            evidence.add(String.format(Locale.ROOT, "TcpExt DelayedACKs rose by %.0f in %.1f s (%.1f/s): delayed-ACK timers are firing",
                    delayed.getAsDouble(), seconds, seconds > 0 ? delayed.getAsDouble() / seconds : 0));
            if (worst != null) {
                risk = Status.CRITICAL_AT;
            }
        }
        return Finding.of(footgun(), risk, evidence, fix(worst == null ? null : worst.getKey()));
    }

    private static String describe(String peer, List<Stalled> stalled) {
        Stalled t = stalled.stream().max(Comparator.comparingLong(Stalled::stallMicros)).orElseThrow();
        TcpInfo i = t.info();
        long avg = t.averageSegmentBytes();
        return String.format(Locale.ROOT,
                "%s: %d connection%s on a %s path (min RTT) %s a smoothed RTT of %s ± %s, stalls of about %s per exchange, "
                        + "in the %d-%d ms delayed-ACK band%s",
                peer, stalled.size(), stalled.size() == 1 ? "" : "s", Figures.millis(i.minRttMicros()),
                stalled.size() == 1 ? "has" : "have, at worst,", Figures.millis(i.rttMicros()), Figures.millis(i.rttVarMicros()),
                Figures.millis(t.stallMicros()), KernelFacts.DELAYED_ACK_MIN_MILLIS, KernelFacts.DELAYED_ACK_MAX_MILLIS,
                avg >= 0 ? String.format(Locale.ROOT, "; it sends %d bytes per segment on average (MSS %d)", avg, i.sndMss()) : "");
    }

    private static String fix(String peer) {
        String where = peer == null ? "request-response sockets"
                : peer.startsWith("clients of ") ? "the sockets the server on " + peer.substring("clients of ".length()) + " accepts"
                : "the sockets that connect to " + peer;
        return "Set TCP_NODELAY on " + where + " (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, 1); Java Socket.setTcpNoDelay(true); "
                + "most HTTP/2, gRPC and database clients already do), or send each request with one write(). "
                + "Nagle belongs only on bulk transfers; with it, each write-write-read exchange waits for the peer's "
                + KernelFacts.DELAYED_ACK_MIN_MILLIS + "-" + KernelFacts.DELAYED_ACK_MAX_MILLIS + " ms delayed ACK.";
    }
}

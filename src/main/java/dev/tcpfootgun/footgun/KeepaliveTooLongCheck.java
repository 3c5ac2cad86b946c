package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.DetailedSockets;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Seed section 6: with Linux's keepalive defaults (7200 s, then 9 probes 75 s apart) a crashed peer
 * is noticed after 7875 s, and a connection with unacknowledged data hangs until tcp_retries2 gives
 * up. Detection taking more than twice the seed's 300/30/5 (450 s) is advice (a setting); it is a
 * warning when, on top of that, established connections are measured waiting on a peer that stopped
 * answering (unanswered keepalive probes, or retransmitted past tcp_retries1). No critical level:
 * a held connection hurts its own client, it does not take the node down.
 */
public final class KeepaliveTooLongCheck implements Check {

    /** Detection up to this multiple of the seed's 450 s is tolerated (15 min, about what tcp_retries2=15 costs). */
    static final int TOLERATED_FACTOR = 2;

    static final long RECOMMENDED_DETECTION_SECONDS = KernelFacts.RECOMMENDED_KEEPALIVE_TIME_SECONDS
            + (long) KernelFacts.RECOMMENDED_KEEPALIVE_INTVL_SECONDS * KernelFacts.RECOMMENDED_KEEPALIVE_PROBES;

    @Override
    public Footgun footgun() {
        return Footgun.KEEPALIVE_TOO_LONG;
    }

    @Override
    public Finding judge(Observation o) {
        Sysctls s = o.now().sysctls().value().orElse(null);
        if (s == null) {
            return Finding.unknown(footgun(), o.now().sysctls().problem(), fix(null));
        }
        OptionalLong time = s.number("net.ipv4.tcp_keepalive_time");
        OptionalLong intvl = s.number("net.ipv4.tcp_keepalive_intvl");
        OptionalLong probes = s.number("net.ipv4.tcp_keepalive_probes");
        if (time.isEmpty() || intvl.isEmpty() || probes.isEmpty()) {
            String why = time.isEmpty() ? s.whyMissing("net.ipv4.tcp_keepalive_time")
                    : intvl.isEmpty() ? s.whyMissing("net.ipv4.tcp_keepalive_intvl") : s.whyMissing("net.ipv4.tcp_keepalive_probes");
            return Finding.unknown(footgun(), why, fix(s));
        }
        long detection = detectionSeconds(s);
        boolean tooLong = detection > TOLERATED_FACTOR * RECOMMENDED_DETECTION_SECONDS;
        OptionalLong retries2 = s.number("net.ipv4.tcp_retries2");
        boolean read = o.now().sockets().value().isPresent();
        int established = 0;
        int withoutKeepalive = 0;
        int probing = 0;
        int retransmitting = 0;
        if (read) {
            DetailedSockets d = o.now().sockets().value().orElseThrow().detailed();
            for (int i = 0; i < d.size(); i++) {
                if (d.state(i) != TcpState.ESTABLISHED) {
                    continue;
                }
                established++;
                // a pending retransmit or zero-window timer hides the keepalive timer: only "none" is certain
                int timer = d.timer(i);
                if (timer == TcpSocket.TIMER_NONE) {
                    withoutKeepalive++;
                } else if (timer == TcpSocket.TIMER_KEEPALIVE && d.retransmits(i) > 0) {
                    probing++;
                } else if (timer == TcpSocket.TIMER_RETRANSMIT && d.retransmits(i) >= KernelFacts.DEFAULT_TCP_RETRIES1) {
                    retransmitting++;
                }
            }
        }
        double risk = tooLong && probing + retransmitting > 0 ? Status.WARN_AT : 0;
        int[] counts = {established, withoutKeepalive, probing, retransmitting};
        return Finding.of(footgun(), risk, tooLong, Finding.Explanation.later(
                () -> Finding.Explanation.of(Prose.words(evidence(time, intvl, probes, detection, retries2, counts)), Prose.of(fix(s)))));
    }

    /** @param counts established sockets, those without a timer, with unanswered probes, retransmitting past tcp_retries1 */
    private static List<String> evidence(OptionalLong time, OptionalLong intvl, OptionalLong probes, long detection,
            OptionalLong retries2, int[] counts) {
        List<String> evidence = new ArrayList<>();
        evidence.add(Prose.rootFormat(
                "a dead peer is detected after tcp_keepalive_time %d s + %d probes x tcp_keepalive_intvl %d s = %d s (%s); "
                        + "the seed's %d/%d/%d takes %d s (%s)",
                time.getAsLong(), probes.getAsLong(), intvl.getAsLong(), detection, clock(detection),
                KernelFacts.RECOMMENDED_KEEPALIVE_TIME_SECONDS, KernelFacts.RECOMMENDED_KEEPALIVE_INTVL_SECONDS,
                KernelFacts.RECOMMENDED_KEEPALIVE_PROBES, RECOMMENDED_DETECTION_SECONDS, clock(RECOMMENDED_DETECTION_SECONDS)));
        if (retries2.isPresent()) {
            double giveUp = retransmissionGiveUpSeconds(retries2.getAsLong());
            evidence.add(Prose.rootFormat(
                    "tcp_retries2=%d: a connection with unacknowledged data to a dead peer gives up after about %.1f s (%s)",
                    retries2.getAsLong(), giveUp, clock((long) giveUp)));
        }
        if (counts[0] > 0) {
            evidence.add(Prose.rootFormat(
                    "%d of %d established sockets have no timer armed, so no keepalive (SO_KEEPALIVE off): "
                            + "the sysctls do not protect them, only the application's own keepalive or timeout does",
                    counts[1], counts[0]));
        }
        if (counts[2] + counts[3] > 0) {
            evidence.add(Prose.rootFormat(
                    "%d established sockets have unanswered keepalive probes and %d have retransmitted %d or more times: "
                            + "their peers stopped answering and the connections are held until detection runs out",
                    counts[2], counts[3], KernelFacts.DEFAULT_TCP_RETRIES1));
        }
        return evidence;
    }

    static long detectionSeconds(Sysctls s) {
        return s.number("net.ipv4.tcp_keepalive_time").orElse(KernelFacts.DEFAULT_KEEPALIVE_TIME_SECONDS)
                + s.number("net.ipv4.tcp_keepalive_intvl").orElse(KernelFacts.DEFAULT_KEEPALIVE_INTVL_SECONDS)
                * s.number("net.ipv4.tcp_keepalive_probes").orElse(KernelFacts.DEFAULT_KEEPALIVE_PROBES);
    }

    /**
     * How long tcp_retries2 retransmissions take, as the kernel's retransmits_timed_out() computes it:
     * the timeout doubles from TCP_RTO_MIN until it reaches TCP_RTO_MAX, then stays there.
     */
    static double retransmissionGiveUpSeconds(long retries2) {
        double min = KernelFacts.TCP_RTO_MIN_MILLIS / 1000.0;
        double max = KernelFacts.TCP_RTO_MAX_MILLIS / 1000.0;
        int linear = 63 - Long.numberOfLeadingZeros(KernelFacts.TCP_RTO_MAX_MILLIS / KernelFacts.TCP_RTO_MIN_MILLIS);
        if (retries2 <= linear) {
            return ((2L << retries2) - 1) * min;
        }
        return ((2L << linear) - 1) * min + (retries2 - linear) * max;
    }

    private static String clock(long seconds) {
        if (seconds >= 3600) {
            return Prose.rootFormat("%d h %d min", seconds / 3600, seconds % 3600 / 60);
        }
        if (seconds >= 60) {
            return seconds % 60 == 0 ? seconds / 60 + " min" : Prose.rootFormat("%.1f min", seconds / 60.0);
        }
        return seconds + " s";
    }

    private static String fix(Sysctls s) {
        String now = "";
        if (s != null) {
            now = Prose.rootFormat("; now %s/%s/%s, %d s",
                    s.string("net.ipv4.tcp_keepalive_time").orElse("?"), s.string("net.ipv4.tcp_keepalive_intvl").orElse("?"),
                    s.string("net.ipv4.tcp_keepalive_probes").orElse("?"), detectionSeconds(s));
        }
        return Prose.rootFormat(
                "sysctl -w net.ipv4.tcp_keepalive_time=%d net.ipv4.tcp_keepalive_intvl=%d net.ipv4.tcp_keepalive_probes=%d "
                        + "(%d s to detect a dead peer%s) and persist it in /etc/sysctl.d/. These apply only to sockets with SO_KEEPALIVE: "
                        + "turn keepalive on in the database driver, HTTP client and gRPC channel (their keepalive settings also "
                        + "override the system values per connection), and bound requests on a dead connection with "
                        + "TCP_USER_TIMEOUT or an application timeout.",
                KernelFacts.RECOMMENDED_KEEPALIVE_TIME_SECONDS, KernelFacts.RECOMMENDED_KEEPALIVE_INTVL_SECONDS,
                KernelFacts.RECOMMENDED_KEEPALIVE_PROBES, RECOMMENDED_DETECTION_SECONDS, now);
    }
}

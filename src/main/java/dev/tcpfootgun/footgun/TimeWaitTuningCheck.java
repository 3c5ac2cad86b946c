package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Sysctls;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Seed section 1: TIME_WAIT is cheap and protects new connections. Lowering tcp_fin_timeout does
 * not shorten it (advice: a setting, no harm measured), TIME_WAIT sockets at 90 % of
 * tcp_max_tw_buckets are about to overflow (warn), and a tcp_max_tw_buckets the kernel overflows
 * destroys TIME_WAIT sockets early (critical while TCPTimeWaitOverflow rises).
 */
public final class TimeWaitTuningCheck implements Check {

    /** TIME_WAIT sockets at this share of tcp_max_tw_buckets are about to overflow. */
    static final double BUCKETS_NEARLY_FULL = 0.9;

    @Override
    public Footgun footgun() {
        return Footgun.TIME_WAIT_MISGUIDED_TUNING;
    }

    @Override
    public Finding judge(Observation o) {
        Sysctls s = o.now().sysctls().value().orElse(null);
        if (s == null) {
            return Finding.unknown(footgun(), o.now().sysctls().problem(), fix(OptionalLong.empty()));
        }
        OptionalLong fin = s.number("net.ipv4.tcp_fin_timeout");
        OptionalLong buckets = s.number("net.ipv4.tcp_max_tw_buckets");
        var sockstat = o.now().sockstat().value().orElse(null);
        OptionalLong tw = sockstat == null ? OptionalLong.empty() : sockstat.get("TCP", "tw");
        OptionalDouble overflow = o.now().counterIncrease(o.previous(), "TcpExt", "TCPTimeWaitOverflow");
        boolean hazard = fin.isPresent() && fin.getAsLong() < KernelFacts.DEFAULT_FIN_TIMEOUT_SECONDS;
        boolean counted = buckets.isPresent() && tw.isPresent() && buckets.getAsLong() > 0;
        double used = counted ? (double) tw.getAsLong() / buckets.getAsLong() : 0;
        boolean overflowing = overflow.isPresent() && overflow.getAsDouble() > 0;
        double risk = overflowing ? Status.CRITICAL_AT : counted && used >= BUCKETS_NEARLY_FULL ? Status.WARN_AT : 0;
        return Finding.of(footgun(), risk, hazard, Finding.Explanation.later(() -> {
            List<String> evidence = new ArrayList<>();
            if (fin.isPresent()) {
                if (hazard) {
                    evidence.add(Prose.rootFormat(
                            "tcp_fin_timeout is %d s (default %d): it only shortens FIN_WAIT_2, TIME_WAIT stays %d s",
                            fin.getAsLong(), KernelFacts.DEFAULT_FIN_TIMEOUT_SECONDS, KernelFacts.TIME_WAIT_SECONDS));
                } else {
                    evidence.add("tcp_fin_timeout is " + fin.getAsLong() + " s");
                }
            }
            if (counted) {
                evidence.add(Prose.rootFormat("%d TIME_WAIT sockets of tcp_max_tw_buckets %d (%.1f %%)",
                        tw.getAsLong(), buckets.getAsLong(), 100 * used));
            }
            if (overflowing) {
                evidence.add(Prose.rootFormat(
                        "TcpExt TCPTimeWaitOverflow rose by %.0f since the last read: the kernel destroyed TIME_WAIT sockets early",
                        overflow.getAsDouble()));
            }
            return Finding.Explanation.of(Prose.words(evidence), Prose.of(fix(buckets)));
        }));
    }

    private static String fix(OptionalLong buckets) {
        return "Leave TIME_WAIT alone: restore sysctl -w net.ipv4.tcp_fin_timeout=" + KernelFacts.DEFAULT_FIN_TIMEOUT_SECONDS
                + " (it only affects FIN_WAIT_2). If TIME_WAIT buckets overflow, raise sysctl -w net.ipv4.tcp_max_tw_buckets="
                + (buckets.isPresent() ? Math.max(262144, buckets.getAsLong() * 2) : 262144)
                + " (30,000 TIME_WAIT sockets cost about 3 MB) and pool connections; set net.ipv4.tcp_tw_reuse=1 for outbound reuse.";
    }
}

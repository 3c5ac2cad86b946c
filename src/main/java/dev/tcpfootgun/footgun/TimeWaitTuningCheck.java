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
        double risk = 0;
        boolean hazard = false;
        List<String> evidence = new ArrayList<>();
        OptionalLong fin = s.number("net.ipv4.tcp_fin_timeout");
        if (fin.isPresent()) {
            if (fin.getAsLong() < KernelFacts.DEFAULT_FIN_TIMEOUT_SECONDS) {
                hazard = true;
                evidence.add(Prose.rootFormat(
                        "tcp_fin_timeout is %d s (default %d): it only shortens FIN_WAIT_2, TIME_WAIT stays %d s",
                        fin.getAsLong(), KernelFacts.DEFAULT_FIN_TIMEOUT_SECONDS, KernelFacts.TIME_WAIT_SECONDS));
            } else {
                evidence.add("tcp_fin_timeout is " + fin.getAsLong() + " s");
            }
        }
        OptionalLong buckets = s.number("net.ipv4.tcp_max_tw_buckets");
        OptionalLong tw = o.now().sockstat().value().map(st -> st.get("TCP", "tw")).orElse(OptionalLong.empty());
        if (buckets.isPresent() && tw.isPresent() && buckets.getAsLong() > 0) {
            double used = (double) tw.getAsLong() / buckets.getAsLong();
            evidence.add(Prose.rootFormat("%d TIME_WAIT sockets of tcp_max_tw_buckets %d (%.1f %%)",
                    tw.getAsLong(), buckets.getAsLong(), 100 * used));
            if (used >= BUCKETS_NEARLY_FULL) {
                risk = Math.max(risk, Status.WARN_AT);
            }
        }
        OptionalDouble overflow = o.now().counterIncrease(o.previous(), "TcpExt", "TCPTimeWaitOverflow");
        if (overflow.isPresent() && overflow.getAsDouble() > 0) {
            risk = Math.max(risk, Status.CRITICAL_AT);
            evidence.add(Prose.rootFormat(
                    "TcpExt TCPTimeWaitOverflow rose by %.0f since the last read: the kernel destroyed TIME_WAIT sockets early",
                    overflow.getAsDouble()));
        }
        return Finding.of(footgun(), risk, hazard, evidence, fix(buckets));
    }

    private static String fix(OptionalLong buckets) {
        return "Leave TIME_WAIT alone: restore sysctl -w net.ipv4.tcp_fin_timeout=" + KernelFacts.DEFAULT_FIN_TIMEOUT_SECONDS
                + " (it only affects FIN_WAIT_2). If TIME_WAIT buckets overflow, raise sysctl -w net.ipv4.tcp_max_tw_buckets="
                + (buckets.isPresent() ? Math.max(262144, buckets.getAsLong() * 2) : 262144)
                + " (30,000 TIME_WAIT sockets cost about 3 MB) and pool connections; set net.ipv4.tcp_tw_reuse=1 for outbound reuse.";
    }
}

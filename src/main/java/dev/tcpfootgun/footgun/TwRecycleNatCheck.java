package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Sysctls;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Seed section 2: tcp_tw_recycle (removed in 4.12) drops SYNs from clients behind one NAT whose
 * timestamp clocks differ; the trace is TcpExt PAWSPassive rising. The setting alone is advice;
 * PAWSPassive rising is a warning, and critical while tcp_tw_recycle is on with timestamps (the
 * rejects are then the recycle's, clients are being dropped now).
 */
public final class TwRecycleNatCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.TW_RECYCLE_NAT;
    }

    @Override
    public Finding judge(Observation o) {
        Sysctls s = o.now().sysctls().value().orElse(null);
        if (s == null) {
            return Finding.unknown(footgun(), o.now().sysctls().problem(), FIX);
        }
        OptionalLong recycle = s.number("net.ipv4.tcp_tw_recycle");
        boolean timestamps = s.number("net.ipv4.tcp_timestamps").orElse(1) != 0;
        boolean recycling = recycle.isPresent() && recycle.getAsLong() != 0 && timestamps;
        OptionalDouble paws = o.now().counterIncrease(o.previous(), "TcpExt", "PAWSPassive");
        boolean rejecting = paws.isPresent() && paws.getAsDouble() > 0;
        double risk = !rejecting ? 0 : recycling ? Status.CRITICAL_AT : Status.WARN_AT;
        return Finding.of(footgun(), risk, recycle.orElse(0) != 0, Finding.Explanation.later(() -> {
            List<String> evidence = new ArrayList<>();
            if (recycle.isEmpty()) {
                evidence.add("tcp_tw_recycle does not exist on this kernel (removed in 4.12)");
            } else if (recycle.getAsLong() != 0) {
                evidence.add("tcp_tw_recycle=" + recycle.getAsLong() + (timestamps
                        ? " with tcp_timestamps on: SYNs from clients sharing a NAT address will be dropped"
                        : " (inactive while tcp_timestamps=0, but it bites as soon as timestamps are turned on)"));
            } else {
                evidence.add("tcp_tw_recycle=0");
            }
            if (rejecting) {
                evidence.add(Prose.rootFormat(
                        "TcpExt PAWSPassive rose by %.0f: passive connections rejected because of time stamp", paws.getAsDouble()));
            }
            return Finding.Explanation.of(Prose.words(evidence), FIX_PROSE);
        }));
    }

    private static final Prose FIX_PROSE = Prose.of(TwRecycleNatCheck.FIX);

    private static final String FIX = "Remove net.ipv4.tcp_tw_recycle from every sysctl file and playbook "
            + "(sysctl -w net.ipv4.tcp_tw_recycle=0 where the kernel still has it); use sysctl -w net.ipv4.tcp_tw_reuse=1, "
            + "which only affects outbound connections and is safe behind NAT.";
}

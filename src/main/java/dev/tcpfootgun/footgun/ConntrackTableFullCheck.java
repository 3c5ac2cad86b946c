package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Seed section 9: a full conntrack table drops new packets silently. Risk is count / max, and 1
 * while drop or early_drop rise; insert_failed rising (the SNAT/DNAT race behind Kubernetes' 5 s
 * DNS delays) is a warning.
 */
public final class ConntrackTableFullCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.CONNTRACK_TABLE_FULL;
    }

    @Override
    public Finding judge(Observation o) {
        Conntrack ct = o.now().conntrack().value().orElse(null);
        if (ct == null) {
            return Finding.unknown(footgun(), o.now().conntrack().problem(), fix(null));
        }
        boolean limited = ct.max().isPresent() && ct.max().getAsLong() > 0;
        double risk = limited ? (double) ct.count() / ct.max().getAsLong() : 0;
        Conntrack before = previous(o.previous());
        long dropRise = increase(ct, before, "drop");
        long earlyDropRise = increase(ct, before, "early_drop");
        if (dropRise > 0 || earlyDropRise > 0) {
            risk = 1;
        }
        long insertFailed = increase(ct, before, "insert_failed");
        if (insertFailed > 0) {
            risk = Math.max(risk, Status.WARN_AT);
        }
        double used = limited ? (double) ct.count() / ct.max().getAsLong() : 0;
        return Finding.of(footgun(), risk, false, Finding.Explanation.later(() -> {
            List<Prose> evidence = new ArrayList<>();
            if (limited) {
                evidence.add(Prose.format("%d of %d conntrack entries in use (%.1f %%)", ct.count(), ct.max().getAsLong(), 100 * used));
            } else {
                evidence.add(Prose.of(ct.count() + " conntrack entries; no limit to compare with: " + ct.maxMissing()));
            }
            dropped(evidence, "drop", dropRise);
            dropped(evidence, "early_drop", earlyDropRise);
            if (insertFailed > 0) {
                evidence.add(Prose.of("insert_failed rose by " + insertFailed + ": concurrent connections lost the insert race (typical of SNAT/DNAT, e.g. DNS over UDP)"));
            }
            o.now().conntrackEntries().value().ifPresent(entries -> evidence.addAll(ConntrackFillers.evidence(entries, o.podsByAddress())));
            if (ct.statsOrigin() == Conntrack.StatsOrigin.NONE) {
                evidence.add(Prose.of("drop counters unavailable: " + ct.statsMissing()));
            }
            return Finding.Explanation.of(evidence, Prose.of(fix(ct)));
        }));
    }

    private static void dropped(List<Prose> evidence, String column, long rise) {
        if (rise > 0) {
            evidence.add(Prose.of(column + " rose by " + rise + ": the kernel is dropping new connections (\"nf_conntrack: table full, dropping packet\")"));
        }
    }

    static Conntrack previous(NodeSnapshot previous) {
        return previous == null ? null : previous.conntrack().value().orElse(null);
    }

    /** The rise of a conntrack statistic since the read before, 0 without one or after a reset. */
    static long increase(Conntrack now, Conntrack before, String column) {
        if (before == null) {
            return 0;
        }
        OptionalLong a = now.stat(column);
        OptionalLong b = before.stat(column);
        return a.isPresent() && b.isPresent() && a.getAsLong() > b.getAsLong() ? a.getAsLong() - b.getAsLong() : 0;
    }

    private static String fix(Conntrack ct) {
        long target = KernelFacts.CONNTRACK_MAX_KUBERNETES;
        if (ct != null && ct.max().isPresent()) {
            target = Math.max(target, ct.max().getAsLong() * 2);
        }
        String timeWait = ct != null && ct.timeWaitTimeoutSeconds().isPresent()
                ? " (now " + ct.timeWaitTimeoutSeconds().getAsLong() + ")" : "";
        return Prose.rootFormat(
                "Raise the limit: sysctl -w net.netfilter.nf_conntrack_max=%d (about %d MiB at %d bytes an entry). "
                        + "Free entries sooner: sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=%d%s. "
                        + "Check dmesg | grep conntrack for \"table full, dropping packet\".",
                target, target * KernelFacts.CONNTRACK_ENTRY_BYTES / (1024 * 1024), KernelFacts.CONNTRACK_ENTRY_BYTES,
                KernelFacts.CONNTRACK_TIME_WAIT_TIMEOUT_SECONDS, timeWait);
    }
}

package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.List;

/** Every check, in catalogue order, judged against one observation. */
public final class Checks {

    private final List<Check> checks;

    public Checks(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    public static Checks all() {
        return new Checks(List.of(
                new EphemeralPortExhaustionCheck(),
                new TimeWaitTuningCheck(),
                new TwRecycleNatCheck(),
                new SmallSocketBuffersCheck(),
                new NagleDelayedAckCheck(),
                new KeepaliveTooLongCheck(),
                new MssMtuMismatchCheck(),
                new PmtuBlackholeCheck(),
                new ConntrackTableFullCheck(),
                new BbrWithoutFqCheck(),
                new ReuseportImbalanceCheck(),
                new ListenQueueOverflowCheck(),
                new SnatPortExhaustionCheck()));
    }

    /** One finding per check; a check that throws is reported as unknown, never lost. */
    public List<Finding> judge(Observation o) {
        List<Finding> out = new ArrayList<>(checks.size());
        for (Check c : checks) {
            try {
                out.add(c.judge(o));
            } catch (RuntimeException e) {
                out.add(Finding.unknown(c.footgun(), "check failed: " + e, ""));
            }
        }
        return out;
    }
}

package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.List;

/** Every check, in catalogue order, judged against one observation. */
public final class Checks {

    private final List<Check> checks;
    /** Checks that throw, and findings whose sentences fail to be written: each logged once per change. */
    private final FailureLog failedChecks = FailureLog.checks();
    private final FailureLog failedSentences = FailureLog.sentences();

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

    /**
     * One finding per check; a check that throws is reported as unknown, never lost, and logged
     * once per change: see {@link #readDone()}.
     */
    public List<Finding> judge(Observation o) {
        List<Finding> out = new ArrayList<>(checks.size());
        for (Check c : checks) {
            Finding f;
            try {
                f = c.judge(o);
                failedChecks.worked(c.footgun());
            } catch (RuntimeException e) {
                failedChecks.failed(c.footgun(), e);
                f = Finding.unknown(c.footgun(), "check failed: " + e, "");
            }
            f.explanation().judgedBy(failedSentences);
            out.add(f);
        }
        return out;
    }

    /**
     * Every observation of one read judged (the node's and each namespace's): a check or a finding's
     * sentences that failed before and only worked since is logged as working again. Sentences written
     * after it (doctor, /findings.json) count towards the next read.
     */
    public void readDone() {
        failedChecks.readDone();
        failedSentences.readDone();
    }
}

package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.List;

/** Every check, in catalogue order, judged against one observation. */
public final class Checks {

    /** The namespace key of the exporter's own network namespace (and of a node judged without namespaces). */
    public static final long OWN_NAMESPACE = 0;
    /** The namespace key of what no namespace's read gave (a scrape that could not wait): it never clears a failure. */
    public static final long NO_NAMESPACE = Long.MIN_VALUE;

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

    /** As {@link #judge(Observation, long)}, for the exporter's own namespace. */
    public List<Finding> judge(Observation o) {
        return judge(o, OWN_NAMESPACE);
    }

    /**
     * One finding per check; a check that throws is reported as unknown, never lost, and logged
     * once per change: see {@link #readDone()}.
     *
     * @param namespace the inode of the network namespace observed ({@link #OWN_NAMESPACE} for ours)
     */
    public List<Finding> judge(Observation o, long namespace) {
        failedChecks.judged(namespace);
        failedSentences.judged(namespace);
        List<Finding> out = new ArrayList<>(checks.size());
        for (Check c : checks) {
            Finding f;
            try {
                f = c.judge(o);
                failedChecks.worked(c.footgun(), namespace);
            } catch (RuntimeException e) {
                failedChecks.failed(c.footgun(), namespace, e);
                f = Finding.unknown(c.footgun(), "check failed: " + e, "");
            }
            f.explanation().judgedBy(failedSentences, namespace);
            out.add(f);
        }
        return out;
    }

    /**
     * Every observation of one read judged (the node's and each namespace's): a check or a finding's
     * sentences failing in no namespace of this read (each worked again, or is gone) is logged as no
     * longer failing. Sentences written after it (doctor, /findings.json) count towards the next read.
     */
    public void readDone() {
        failedChecks.readDone();
        failedSentences.readDone();
    }
}

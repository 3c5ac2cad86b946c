package dev.tcpfootgun.footgun;

import java.util.List;
import java.util.function.Supplier;

/**
 * One check's verdict on one snapshot: what /metrics, the doctor report and the landing page all show.
 * Its sentences keep their addresses as addresses ({@link Prose}); a renderer shows them through
 * --destinations.labels (metrics' DestinationLabels), never through {@link #evidence()} or {@link #fix()}.
 * The sentences are written when first read ({@link Explanation}): /metrics reads only the verdict.
 *
 * @param risk 0 fine, 0.3 advice, 0.5 warn, 0.8 critical, 1 failing now; NaN when {@code status} is UNKNOWN
 * @param explanation this node's evidence and fix, written on first use
 * @param missing for UNKNOWN: which file or netlink family was missing
 */
public record Finding(Footgun footgun, Status status, double risk, Explanation explanation, String missing) {

    public Finding {
        explanation.about(footgun);
    }

    /**
     * A finding's sentences: its evidence (this node's numbers that justify the risk, one sentence
     * each; a warning's names its measurement) and its fix (the seed's, with this node's numbers and
     * exact commands filled in). Written once, when first asked for: most scrapes only read the risk.
     */
    public static final class Explanation {
        private Supplier<Explanation> pending;
        private List<Prose> evidence;
        private Prose fix;
        /** Whose sentences these are, in which namespace, and where a writer that throws is logged: set while pending. */
        private Footgun footgun;
        private long namespace = Checks.OWN_NAMESPACE;
        private FailureLog failures = FailureLog.UNJUDGED;

        private Explanation(List<Prose> evidence, Prose fix) {
            this.evidence = List.copyOf(evidence);
            this.fix = fix;
        }

        private Explanation(Supplier<Explanation> pending) {
            this.pending = pending;
        }

        public static Explanation of(List<Prose> evidence, Prose fix) {
            return new Explanation(evidence, fix);
        }

        /** Sentences written by {@code write} on first use, then kept (and what it captured released). */
        public static Explanation later(Supplier<Explanation> write) {
            return new Explanation(write);
        }

        /** Names the finding these sentences are written for, should writing them fail. */
        synchronized void about(Footgun f) {
            if (pending != null) {
                footgun = f;
            }
        }

        /** Logs a writer that throws to the log of the checks that judged it, kept for each read and namespace. */
        synchronized void judgedBy(FailureLog log, long judgedIn) {
            if (pending != null) {
                failures = log;
                namespace = judgedIn;
            }
        }

        private synchronized void settle() {
            if (pending != null) {
                Explanation done;
                try {
                    done = pending.get();
                    failures.worked(footgun, namespace);
                } catch (RuntimeException e) {
                    // the verdict stands; only its sentences could not be written
                    failures.failed(footgun, namespace, e);
                    done = new Explanation(List.of(Prose.of("evidence failed: " + e)), Prose.of(""));
                }
                evidence = done.evidence();
                fix = done.fix();
                pending = null;
            }
        }

        public List<Prose> evidence() {
            settle();
            return evidence;
        }

        public Prose fix() {
            settle();
            return fix;
        }

        /** Equal sentences, however and whenever written: findings compare as the records they were. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Explanation e && evidence().equals(e.evidence()) && fix().equals(e.fix());
        }

        @Override
        public int hashCode() {
            return 31 * evidence().hashCode() + fix().hashCode();
        }

        @Override
        public String toString() {
            return "Explanation[evidence=" + evidence() + ", fix=" + fix() + "]";
        }
    }

    /** A verdict from a measured risk (see {@link Status#ofRisk}). */
    public static Finding of(Footgun footgun, double risk, List<String> evidence, String fix) {
        return of(footgun, risk, Prose.words(evidence), Prose.of(fix));
    }

    /** As {@link #of(Footgun, double, List, String)}, from sentences that name addresses. */
    public static Finding of(Footgun footgun, double risk, List<Prose> evidence, Prose fix) {
        return of(footgun, risk, false, Explanation.of(evidence, fix));
    }

    /**
     * A measured risk, or advice when nothing measured reaches a warning but the configuration is a
     * hazard: then the status is advice and the risk at least {@link Status#ADVICE_RISK}.
     */
    public static Finding of(Footgun footgun, double measuredRisk, boolean hazard, List<String> evidence, String fix) {
        return of(footgun, measuredRisk, hazard, Prose.words(evidence), Prose.of(fix));
    }

    /** As {@link #of(Footgun, double, boolean, List, String)}, from sentences that name addresses. */
    public static Finding of(Footgun footgun, double measuredRisk, boolean hazard, List<Prose> evidence, Prose fix) {
        return of(footgun, measuredRisk, hazard, Explanation.of(evidence, fix));
    }

    /** As {@link #of(Footgun, double, boolean, List, Prose)}, with sentences written when first read. */
    public static Finding of(Footgun footgun, double measuredRisk, boolean hazard, Explanation explanation) {
        double r = Math.max(0, Math.min(1, measuredRisk));
        if (hazard && r < Status.WARN_AT) {
            return new Finding(footgun, Status.ADVICE, Math.max(r, Status.ADVICE_RISK), explanation, null);
        }
        return new Finding(footgun, Status.ofRisk(r), r, explanation, null);
    }

    public static Finding unknown(Footgun footgun, String missing, String fix) {
        return unknown(footgun, missing, Prose.of(fix));
    }

    public static Finding unknown(Footgun footgun, String missing, Prose fix) {
        return new Finding(footgun, Status.UNKNOWN, Double.NaN, Explanation.of(List.of(), fix), missing);
    }

    /** As {@link #unknown(Footgun, String, Prose)}, with the fix written when first read. */
    public static Finding unknown(Footgun footgun, String missing, Supplier<Prose> fix) {
        return new Finding(footgun, Status.UNKNOWN, Double.NaN, Explanation.later(() -> Explanation.of(List.of(), fix.get())), missing);
    }

    /** The same verdict with other evidence. */
    public Finding withEvidence(List<Prose> evidence) {
        return new Finding(footgun, status, risk, Explanation.of(evidence, fixProse()), missing);
    }

    /**
     * This finding with its sentences written now: one kept past its snapshot (another namespace's,
     * whose sockets are released) must not hold what writing them would read.
     */
    public Finding settled() {
        explanation.settle();
        return this;
    }

    /** This node's numbers that justify the risk, one sentence each. */
    public List<Prose> evidenceProse() {
        return explanation.evidence();
    }

    /** The seed's fix with this node's numbers and exact commands filled in. */
    public Prose fixProse() {
        return explanation.fix();
    }

    /** The evidence as written, addresses shown: for tests and logs, not for what users see. */
    public List<String> evidence() {
        List<Prose> p = evidenceProse();
        String[] out = new String[p.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = p.get(i).toString();
        }
        return List.of(out);
    }

    /** The fix as written, addresses shown: for tests and logs, not for what users see. */
    public String fix() {
        return fixProse().toString();
    }
}

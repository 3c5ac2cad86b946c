package dev.tcpfootgun.footgun;

import java.util.List;

/**
 * One check's verdict on one snapshot: what /metrics, the doctor report and the landing page all show.
 * Its sentences keep their addresses as addresses ({@link Prose}); a renderer shows them through
 * --destinations.labels (metrics' DestinationLabels), never through {@link #evidence()} or {@link #fix()}.
 *
 * @param risk 0 fine, 0.3 advice, 0.5 warn, 0.8 critical, 1 failing now; NaN when {@code status} is UNKNOWN
 * @param evidenceProse this node's numbers that justify the risk, one sentence each; a warning's names its measurement
 * @param fixProse the seed's fix with this node's numbers and exact commands filled in
 * @param missing for UNKNOWN: which file or netlink family was missing
 */
public record Finding(
        Footgun footgun, Status status, double risk, List<Prose> evidenceProse, Prose fixProse, String missing) {

    public Finding {
        evidenceProse = List.copyOf(evidenceProse);
    }

    /** A verdict from a measured risk (see {@link Status#ofRisk}). */
    public static Finding of(Footgun footgun, double risk, List<String> evidence, String fix) {
        return of(footgun, risk, words(evidence), Prose.of(fix));
    }

    /** As {@link #of(Footgun, double, List, String)}, from sentences that name addresses. */
    public static Finding of(Footgun footgun, double risk, List<Prose> evidence, Prose fix) {
        double r = Math.max(0, Math.min(1, risk));
        return new Finding(footgun, Status.ofRisk(r), r, evidence, fix, null);
    }

    /**
     * A measured risk, or advice when nothing measured reaches a warning but the configuration is a
     * hazard: then the status is advice and the risk at least {@link Status#ADVICE_RISK}.
     */
    public static Finding of(Footgun footgun, double measuredRisk, boolean hazard, List<String> evidence, String fix) {
        return of(footgun, measuredRisk, hazard, words(evidence), Prose.of(fix));
    }

    /** As {@link #of(Footgun, double, boolean, List, String)}, from sentences that name addresses. */
    public static Finding of(Footgun footgun, double measuredRisk, boolean hazard, List<Prose> evidence, Prose fix) {
        double r = Math.max(0, Math.min(1, measuredRisk));
        if (hazard && r < Status.WARN_AT) {
            return new Finding(footgun, Status.ADVICE, Math.max(r, Status.ADVICE_RISK), evidence, fix, null);
        }
        return of(footgun, r, evidence, fix);
    }

    public static Finding unknown(Footgun footgun, String missing, String fix) {
        return unknown(footgun, missing, Prose.of(fix));
    }

    public static Finding unknown(Footgun footgun, String missing, Prose fix) {
        return new Finding(footgun, Status.UNKNOWN, Double.NaN, List.of(), fix, missing);
    }

    /** The same verdict with other evidence. */
    public Finding withEvidence(List<Prose> evidence) {
        return new Finding(footgun, status, risk, evidence, fixProse, missing);
    }

    /** The evidence as written, addresses shown: for tests and logs, not for what users see. */
    public List<String> evidence() {
        return evidenceProse.stream().map(Prose::toString).toList();
    }

    /** The fix as written, addresses shown: for tests and logs, not for what users see. */
    public String fix() {
        return fixProse.toString();
    }

    private static List<Prose> words(List<String> sentences) {
        return sentences.stream().map(Prose::of).toList();
    }
}

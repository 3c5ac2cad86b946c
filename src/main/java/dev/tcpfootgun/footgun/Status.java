package dev.tcpfootgun.footgun;

/**
 * A finding's verdict. Warn and critical need a measurement of harm on this node (now, or imminent
 * by the measured trend); a hazard seen only in configuration is {@link #ADVICE}, which pages nobody.
 */
public enum Status {
    OK("ok"),
    /** A setting that could hurt, with nothing on this node measured hurting yet; risk {@link #ADVICE_RISK}. */
    ADVICE("advice"),
    WARN("warn"),
    CRITICAL("critical"),
    /** The kernel does not offer the data the check needs; never a silent pass. */
    UNKNOWN("unknown");

    /** The risk of an advice finding: above a fine node, below any warning. */
    public static final double ADVICE_RISK = 0.3;
    /** Risk at and above which a measured finding is a warning. */
    public static final double WARN_AT = 0.5;
    /** Risk at and above which a measured finding is critical. */
    public static final double CRITICAL_AT = 0.8;

    private final String label;

    Status(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The verdict of a measured risk: below warn it is ok, however close (advice is never measured). */
    public static Status ofRisk(double risk) {
        if (risk >= CRITICAL_AT) {
            return CRITICAL;
        }
        return risk >= WARN_AT ? WARN : OK;
    }

    /** Whether this verdict is at least {@code level} on the scale ok < advice < warn < critical; unknown is never. */
    public boolean atLeast(Status level) {
        return this != UNKNOWN && level != UNKNOWN && ordinal() >= level.ordinal();
    }
}

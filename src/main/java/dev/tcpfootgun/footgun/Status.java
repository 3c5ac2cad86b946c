package dev.tcpfootgun.footgun;

/** A finding's verdict, derived from its risk by the thresholds every footgun shares. */
public enum Status {
    OK("ok"),
    WARN("warn"),
    CRITICAL("critical"),
    /** The kernel does not offer the data the check needs; never a silent pass. */
    UNKNOWN("unknown");

    /** Risk at and above which a finding is a warning. */
    public static final double WARN_AT = 0.5;
    /** Risk at and above which a finding is critical. */
    public static final double CRITICAL_AT = 0.8;

    private final String label;

    Status(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Status ofRisk(double risk) {
        if (risk >= CRITICAL_AT) {
            return CRITICAL;
        }
        return risk >= WARN_AT ? WARN : OK;
    }
}

package dev.tcpfootgun.config;

/** --destinations.labels: how remote (and local) addresses appear in per-destination labels. */
public enum DestinationLabelMode {
    /** The address as the kernel reports it: "10.0.0.7". */
    PLAIN,
    /** A short digest of the address: the same destination keeps one series, its address is not shown. */
    HASH,
    /** No per-destination series at all; totals and risks stay. */
    DROP
}

package dev.tcpfootgun.snapshot;

/** Address family of a socket, with the label value used on /metrics. */
public enum Family {
    INET("ipv4"),
    INET6("ipv6");

    private final String label;

    Family(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}

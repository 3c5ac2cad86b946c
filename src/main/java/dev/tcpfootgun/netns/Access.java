package dev.tcpfootgun.netns;

/** How a namespace was read: from its /proc/PID/net files alone, or from a thread inside it. */
public enum Access {
    /** The exporter's own namespace, read directly with every source. */
    OWN("own"),
    /** Any user: sockets, netstat/snmp, sockstat, addresses; sysctls are the node's, assumed. */
    PROCFS("procfs"),
    /** setns(2) (CAP_SYS_ADMIN and ptrace access): also tcp_info, its own sysctls, conntrack, links, qdiscs. */
    SETNS("setns");

    private final String label;

    Access(String label) {
        this.label = label;
    }

    /** The access label of footgun_netns_info. */
    public String label() {
        return label;
    }
}

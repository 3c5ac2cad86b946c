package dev.tcpfootgun.source;

import dev.tcpfootgun.source.netlink.NetlinkTransport;

/**
 * Where a reader reads, for the collector factories: the mounts, which network namespace, and what
 * reaches it.
 *
 * @param fs procfs and sysfs, {@code fs.netDir()} the namespace's net folder
 * @param netlink whether netlink may be used (not with --collector.sockets.source=procfs)
 * @param procfsSockets whether /proc/net/tcp may serve the sockets (not with --collector.sockets.source=netlink)
 * @param detailLimit connections per read kept with tcp_info (--collector.sockets.detail-limit)
 * @param transport where netlink requests go: the kernel, or captured replies in tests
 */
public record Scope(ProcFs fs, Where where, boolean netlink, boolean procfsSockets, int detailLimit, ConntrackDump dump,
        NetlinkTransport transport) {

    /**
     * The conntrack dump's bounds (--collector.conntrack.dump-limit, --collector.conntrack.nat-port-range).
     *
     * @param timeLimit how long one dump may take (half the scrape deadline, so the rest of the read still fits)
     * @param natPortRange the ports NAT may use when the rules cannot be read; null to read them
     */
    public record ConntrackDump(long entryLimit, java.time.Duration timeLimit, dev.tcpfootgun.snapshot.PortRange natPortRange) {}

    public enum Where {
        /** The exporter's own namespace: netlink, /proc/sys and sysfs all see it. */
        OWN,
        /** Another namespace, read by a thread inside it: netlink and /proc/sys see it, sysfs does not. */
        ENTERED,
        /** Another namespace not entered (no CAP_SYS_ADMIN): only its /proc/PID/net files show it. */
        OUTSIDE
    }

    /** Why a source that needs netlink or /proc/sys is absent from an OUTSIDE read. */
    public String outsideReason() {
        // /proc/sys shows the reading thread's namespace: without entering, sysctls would be ours, not
        // theirs; the scraper judges such a namespace with the node's and says so in the evidence
        return "not entered (setns needs CAP_SYS_ADMIN and ptrace access): only " + fs.netDir() + " files are readable";
    }
}

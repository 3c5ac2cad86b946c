package dev.tcpfootgun.snapshot;

/**
 * Which source served a socket table, and, when that source cannot carry tcp_info, why: the
 * source's own words for a check to pass on.
 *
 * @param name the footgun_socket_source_info label: "netlink" (sock_diag) or "procfs"
 * @param withoutTcpInfo why no socket has tcp_info, null when the source sends it
 */
public record SocketOrigin(String name, String withoutTcpInfo) {

    public static final SocketOrigin NETLINK = new SocketOrigin("netlink", null);
    public static final SocketOrigin PROCFS = new SocketOrigin("procfs",
            "tcp_info needs netlink sock_diag; sockets came from procfs");
}

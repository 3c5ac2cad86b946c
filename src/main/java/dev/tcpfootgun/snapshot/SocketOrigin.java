package dev.tcpfootgun.snapshot;

/**
 * Which source served a socket table, and what that source cannot carry, in its own words for a
 * check to pass on.
 *
 * @param name the footgun_socket_source_info label: "netlink" (sock_diag) or "procfs"
 * @param withoutTcpInfo why this source's full sockets can come without tcp_info
 * @param withoutBound why sockets that only called bind() are missing, null when the source lists them
 */
public record SocketOrigin(String name, String withoutTcpInfo, String withoutBound) {

    public static final SocketOrigin NETLINK = new SocketOrigin("netlink",
            "sock_diag sent no tcp_info (INET_DIAG_INFO) with the sockets", null);
    public static final SocketOrigin PROCFS = new SocketOrigin("procfs",
            "tcp_info needs netlink sock_diag; sockets came from procfs",
            "sockets read from /proc/net/tcp, which lists no socket that only called bind(): "
                    + "ports those hold are not counted (sock_diag lists them)");
}

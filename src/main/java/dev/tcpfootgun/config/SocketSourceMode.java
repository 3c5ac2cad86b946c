package dev.tcpfootgun.config;

/** --collector.sockets.source: where socket records come from. */
public enum SocketSourceMode {
    /** netlink sock_diag, falling back to /proc/net/tcp{,6} when netlink is refused. */
    AUTO,
    NETLINK,
    PROCFS
}

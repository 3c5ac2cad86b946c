package dev.tcpfootgun.snapshot;

/**
 * One TCP socket as the kernel reports it, from netlink sock_diag or /proc/net/tcp{,6}.
 *
 * @param timer kernel timer code: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe
 * @param timerExpiresMillis time until that timer fires
 * @param retransmits consecutive retransmits of the current segment (icsk_retransmits)
 * @param info tcp_info when the source provides it (netlink, full sockets only), else null
 * @param congestion congestion control algorithm name (netlink INET_DIAG_CONG), else null
 * @param memory socket memory (netlink INET_DIAG_SKMEMINFO), else null
 */
public record TcpSocket(
        Family family,
        TcpState state,
        Endpoint local,
        Endpoint remote,
        long txQueue,
        long rxQueue,
        int timer,
        long timerExpiresMillis,
        int retransmits,
        TcpInfo info,
        String congestion,
        SocketMemory memory) {

    public static final int TIMER_NONE = 0;
    public static final int TIMER_RETRANSMIT = 1;
    public static final int TIMER_KEEPALIVE = 2;
    public static final int TIMER_TIME_WAIT = 3;
    public static final int TIMER_PROBE = 4;

    /** A socket with only the fields every source has. */
    public static TcpSocket basic(Family family, TcpState state, Endpoint local, Endpoint remote) {
        return new TcpSocket(family, state, local, remote, 0, 0, TIMER_NONE, 0, 0, null, null, null);
    }
}

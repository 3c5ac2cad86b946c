package dev.tcpfootgun.snapshot;

/**
 * The fields of a full /proc/net/tcp line after the inode, which have no header there
 * (net/ipv4/tcp_ipv4.c get_tcp4_sock). Times are converted from clock ticks to milliseconds.
 *
 * @param probesOut the column headed "timeout", which really holds icsk_probes_out
 * @param quickAckAndPingpong (quick << 1) | pingpong
 * @param ssthresh slow start threshold; -1 while in initial slow start
 */
public record ProcTcpDetail(
        int probesOut,
        long refcount,
        long rtoMillis,
        long atoMillis,
        int quickAckAndPingpong,
        long sndCwnd,
        long ssthresh) {

    public boolean pingpong() {
        return (quickAckAndPingpong & 1) != 0;
    }
}

package dev.tcpfootgun.metrics;

import java.util.List;

/**
 * The /proc/net/netstat and /proc/net/snmp counters the footguns use, with their metric names.
 * Names are spelled out rather than derived: the kernel's CamelCase (TCPMTUPFail, DelayedACKs) has
 * no mechanical snake_case form, and promtool rejects camelCase names.
 */
final class KernelCounterCatalog {

    /**
     * @param gauge true for the few snmp values that are levels, not counters (Tcp CurrEstab)
     */
    record Entry(String section, String field, String metric, String help, boolean gauge) {}

    static final List<Entry> ENTRIES = List.of(
            c("TcpExt", "PAWSPassive", "footgun_tcpext_paws_passive", "Passive connections rejected because of time stamp (tcp_tw_recycle behind NAT); kernels before tcp_tw_recycle's removal only."),
            c("TcpExt", "PAWSActive", "footgun_tcpext_paws_active", "Active connections rejected because of time stamp."),
            c("TcpExt", "PAWSEstab", "footgun_tcpext_paws_estab", "Packets rejected in established connections because of timestamp."),
            c("TcpExt", "PAWSTimewait", "footgun_tcpext_paws_timewait", "Packets rejected by a TIME_WAIT socket because of timestamp."),
            c("TcpExt", "TW", "footgun_tcpext_tw", "TCP sockets finished TIME_WAIT by the fast timer."),
            c("TcpExt", "TWRecycled", "footgun_tcpext_tw_recycled", "TIME_WAIT sockets recycled by time stamp."),
            c("TcpExt", "TWKilled", "footgun_tcpext_tw_killed", "TIME_WAIT sockets killed by a reset or reuse."),
            c("TcpExt", "TCPTimeWaitOverflow", "footgun_tcpext_tcp_time_wait_overflow", "TIME_WAIT sockets not created because tcp_max_tw_buckets was reached."),
            c("TcpExt", "ListenOverflows", "footgun_tcpext_listen_overflows", "Times a listen queue overflowed (accept backlog full)."),
            c("TcpExt", "ListenDrops", "footgun_tcpext_listen_drops", "SYNs to LISTEN sockets dropped."),
            c("TcpExt", "SyncookiesSent", "footgun_tcpext_syncookies_sent", "SYN cookies sent."),
            c("TcpExt", "SyncookiesRecv", "footgun_tcpext_syncookies_recv", "SYN cookies received."),
            c("TcpExt", "SyncookiesFailed", "footgun_tcpext_syncookies_failed", "Invalid SYN cookies received."),
            c("TcpExt", "DelayedACKs", "footgun_tcpext_delayed_acks", "Delayed ACKs sent."),
            c("TcpExt", "DelayedACKLocked", "footgun_tcpext_delayed_ack_locked", "Delayed ACKs further delayed because of a locked socket."),
            c("TcpExt", "DelayedACKLost", "footgun_tcpext_delayed_ack_lost", "Quick ACK mode activated because a delayed ACK was lost."),
            c("TcpExt", "TCPMTUPFail", "footgun_tcpext_tcpmtup_fail", "Path MTU probes that failed."),
            c("TcpExt", "TCPMTUPSuccess", "footgun_tcpext_tcpmtup_success", "Path MTU probes that succeeded."),
            c("TcpExt", "TCPReqQFullDrop", "footgun_tcpext_tcp_req_q_full_drop", "SYNs dropped because the SYN queue was full and SYN cookies were off."),
            c("TcpExt", "TCPReqQFullDoCookies", "footgun_tcpext_tcp_req_q_full_do_cookies", "SYN cookies sent because the SYN queue was full."),
            c("TcpExt", "TCPAbortOnMemory", "footgun_tcpext_tcp_abort_on_memory", "Connections aborted for lack of memory (tcp_mem or orphans)."),
            c("TcpExt", "TCPMemoryPressures", "footgun_tcpext_tcp_memory_pressures", "Times TCP entered memory pressure (tcp_mem)."),
            c("TcpExt", "TCPTimeouts", "footgun_tcpext_tcp_timeouts", "Retransmission timeouts."),
            c("TcpExt", "TCPSynRetrans", "footgun_tcpext_tcp_syn_retrans", "SYN and SYN-ACK retransmits."),
            c("TcpExt", "TCPRcvQDrop", "footgun_tcpext_tcp_rcv_q_drop", "Packets dropped because the receive queue was full."),
            c("TcpExt", "TCPBacklogDrop", "footgun_tcpext_tcp_backlog_drop", "Packets dropped because the socket backlog was full."),
            c("Tcp", "RetransSegs", "footgun_tcp_retrans_segs", "TCP segments retransmitted."),
            c("Tcp", "OutSegs", "footgun_tcp_out_segs", "TCP segments sent."),
            c("Tcp", "InSegs", "footgun_tcp_in_segs", "TCP segments received."),
            c("Tcp", "OutRsts", "footgun_tcp_out_rsts", "TCP resets sent."),
            c("Tcp", "ActiveOpens", "footgun_tcp_active_opens", "TCP connections opened by this host (connect())."),
            c("Tcp", "PassiveOpens", "footgun_tcp_passive_opens", "TCP connections accepted by this host."),
            c("Tcp", "AttemptFails", "footgun_tcp_attempt_fails", "TCP connection attempts that failed."),
            c("Tcp", "EstabResets", "footgun_tcp_estab_resets", "Established TCP connections reset."),
            new Entry("Tcp", "CurrEstab", "footgun_tcp_curr_estab", "TCP connections currently ESTABLISHED or CLOSE_WAIT (snmp CurrEstab).", true),
            c("Icmp", "InDestUnreachs", "footgun_icmp_in_dest_unreachs", "ICMP destination unreachable messages received (type 3; code 4 is fragmentation needed)."),
            c("Icmp", "OutDestUnreachs", "footgun_icmp_out_dest_unreachs", "ICMP destination unreachable messages sent."),
            c("IcmpMsg", "InType3", "footgun_icmpmsg_in_type3", "ICMP type 3 (destination unreachable) messages received."),
            c("IcmpMsg", "OutType3", "footgun_icmpmsg_out_type3", "ICMP type 3 (destination unreachable) messages sent."));

    /** Each entry's help as its family shows it, with where the kernel keeps it: ENTRIES' order, made once. */
    static final List<String> SHOWN_HELP = ENTRIES.stream().map(e -> e.help() + " (" + e.section() + " " + e.field() + ")").toList();

    private static Entry c(String section, String field, String metric, String help) {
        return new Entry(section, field, metric, help, false);
    }

    private KernelCounterCatalog() {}
}

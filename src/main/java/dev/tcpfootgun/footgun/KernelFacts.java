package dev.tcpfootgun.footgun;

/** The kernel's fixed numbers the seed relies on, each named once. */
public final class KernelFacts {

    /** TCP_TIMEWAIT_LEN: TIME_WAIT lasts 60 s on Linux, whatever tcp_fin_timeout says. */
    public static final int TIME_WAIT_SECONDS = 60;

    /** Default tcp_fin_timeout, which governs FIN_WAIT_2 only. */
    public static final int DEFAULT_FIN_TIMEOUT_SECONDS = 60;

    /** Default net.ipv4.tcp_tw_reuse_delay: a TIME_WAIT socket is reusable once this old. */
    public static final int DEFAULT_TW_REUSE_DELAY_MILLIS = 1000;

    /** Approximate kernel memory per conntrack entry (seed section 9). */
    public static final int CONNTRACK_ENTRY_BYTES = 320;

    /** A conntrack table size the seed calls a reasonable start for Kubernetes nodes. */
    public static final long CONNTRACK_MAX_KUBERNETES = 1_048_576;

    /** The kernel's nf_conntrack_tcp_timeout_time_wait, for when the sysctl cannot be read. */
    public static final int CONNTRACK_TIME_WAIT_DEFAULT_SECONDS = 120;

    /** Recommended nf_conntrack_tcp_timeout_time_wait, down from the kernel's 120. */
    public static final int CONNTRACK_TIME_WAIT_TIMEOUT_SECONDS = 60;

    /** Seed section 3: the buffer maximum to set for rmem_max, wmem_max and the tcp_rmem/tcp_wmem maximum (16 MiB). */
    public static final long RECOMMENDED_BUFFER_MAX_BYTES = 16_777_216;

    /** Seed section 3: the tcp_rmem minimum and default that go with that maximum. */
    public static final long RECOMMENDED_TCP_RMEM_MIN_BYTES = 4096;
    public static final long RECOMMENDED_TCP_RMEM_DEFAULT_BYTES = 87_380;

    /** Seed section 3: the tcp_wmem minimum and default that go with that maximum. */
    public static final long RECOMMENDED_TCP_WMEM_MIN_BYTES = 4096;
    public static final long RECOMMENDED_TCP_WMEM_DEFAULT_BYTES = 65_536;

    /**
     * Seed section 3: the link rate of the bandwidth-delay-product example, 1 Gbit/s in bytes per
     * second. The snapshot has no link speed, so a window is judged against this rate at the socket's RTT.
     */
    public static final long BDP_EXAMPLE_LINK_BYTES_PER_SECOND = 125_000_000;

    /** setsockopt(SO_RCVBUF/SO_SNDBUF) stores twice the value asked for, capped at twice rmem_max/wmem_max. */
    public static final int SOCKOPT_BUFFER_FACTOR = 2;

    /** Seed section 4: TCP_DELACK_MIN, the shortest delayed-ACK timer (40 ms). */
    public static final int DELAYED_ACK_MIN_MILLIS = 40;

    /** Seed section 4: TCP_DELACK_MAX, the longest delayed-ACK timer (200 ms). */
    public static final int DELAYED_ACK_MAX_MILLIS = 200;

    /** Seed section 6: Linux defaults, first keepalive probe after 7200 s, then every 75 s, 9 probes. */
    public static final int DEFAULT_KEEPALIVE_TIME_SECONDS = 7200;
    public static final int DEFAULT_KEEPALIVE_INTVL_SECONDS = 75;
    public static final int DEFAULT_KEEPALIVE_PROBES = 9;

    /** Seed section 6: the recommended 300 s / 30 s / 5 probes, 450 s (7.5 min) to detect a dead peer. */
    public static final int RECOMMENDED_KEEPALIVE_TIME_SECONDS = 300;
    public static final int RECOMMENDED_KEEPALIVE_INTVL_SECONDS = 30;
    public static final int RECOMMENDED_KEEPALIVE_PROBES = 5;

    /** Default tcp_retries2: 15 retransmissions, about 924.6 s before a connection with unacknowledged data gives up. */
    public static final int DEFAULT_TCP_RETRIES2 = 15;

    /** Default tcp_retries1: after this many unanswered retransmissions the kernel suspects the route. */
    public static final int DEFAULT_TCP_RETRIES1 = 3;

    /** TCP_RTO_MIN and TCP_RTO_MAX: the retransmission timeout starts at 200 ms and doubles up to 120 s. */
    public static final int TCP_RTO_MIN_MILLIS = 200;
    public static final int TCP_RTO_MAX_MILLIS = 120_000;

    /** Default net.core.somaxconn since Linux 5.4: listen() backlogs are capped at this. */
    public static final int DEFAULT_SOMAXCONN = 4096;

    /** IPv4 header (20) plus TCP header (20) without options: MSS is at most MTU minus this (seed section 7). */
    public static final int IP_TCP_HEADER_BYTES = 40;

    /** TCP options take at most 40 bytes, so a segment within this of MTU - 40 is full-size. */
    public static final int TCP_OPTIONS_MAX_BYTES = 40;

    /** The Ethernet MTU most paths are assumed to carry; anything smaller needs PMTU discovery to work. */
    public static final int ETHERNET_MTU = 1500;

    /** An Ethernet header, carried inside VXLAN, Geneve and the *tap tunnels. */
    public static final int ETHERNET_HEADER_BYTES = 14;

    /** IPv6 header minus IPv4 header: what every IP-in-UDP or IP-in-IP tunnel adds over an IPv6 underlay. */
    public static final int IPV6_EXTRA_HEADER_BYTES = 20;

    /** Default net.ipv4.tcp_base_mss: where tcp_mtu_probing starts shrinking segments. */
    public static final int DEFAULT_TCP_BASE_MSS = 1024;

    /** Linux 4.13 added TCP internal pacing: BBR paces without fq, at a CPU cost (seed section 10). */
    public static final KernelRelease TCP_INTERNAL_PACING_SINCE = new KernelRelease(4, 13);

    /** Linux 4.9 added BBR; an older kernel silently keeps CUBIC when asked for it. */
    public static final KernelRelease BBR_SINCE = new KernelRelease(4, 9);

    private KernelFacts() {}
}

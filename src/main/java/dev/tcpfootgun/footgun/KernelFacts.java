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

    /** Recommended nf_conntrack_tcp_timeout_time_wait, down from the kernel's 120. */
    public static final int CONNTRACK_TIME_WAIT_TIMEOUT_SECONDS = 60;

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

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

    private KernelFacts() {}
}

package dev.tcpfootgun.footgun;

/** The footgun catalogue (DESIGN.md); {@link #id()} is the {@code footgun} label value. */
public enum Footgun {
    EPHEMERAL_PORT_EXHAUSTION("ephemeral_port_exhaustion", "1", "Ephemeral port exhaustion towards one destination"),
    TIME_WAIT_MISGUIDED_TUNING("time_wait_misguided_tuning", "1", "TIME_WAIT tuned instead of fixed"),
    TW_RECYCLE_NAT("tw_recycle_nat", "2", "tcp_tw_recycle breaking clients behind NAT"),
    SMALL_SOCKET_BUFFERS("small_socket_buffers", "3", "Socket buffers too small for the bandwidth-delay product"),
    NAGLE_DELAYED_ACK("nagle_delayed_ack", "4, 5", "Nagle's algorithm stalled by delayed ACKs"),
    KEEPALIVE_TOO_LONG("keepalive_too_long", "6", "TCP keepalive detects dead peers too late"),
    MSS_MTU_MISMATCH("mss_mtu_mismatch", "7", "MSS or MTU ignoring encapsulation overhead"),
    PMTU_BLACKHOLE("pmtu_blackhole", "8", "Path MTU blackhole"),
    CONNTRACK_TABLE_FULL("conntrack_table_full", "9", "Conntrack table full"),
    BBR_WITHOUT_FQ("bbr_without_fq", "10", "BBR without the fq qdisc"),
    REUSEPORT_IMBALANCE("reuseport_imbalance", "11", "SO_REUSEPORT listeners out of balance"),
    LISTEN_QUEUE_OVERFLOW("listen_queue_overflow", "11", "Accept queue overflowing"),
    SNAT_PORT_EXHAUSTION("snat_port_exhaustion", "1, 9", "Source NAT ports exhausted towards one destination");


    private final String id;
    private final String seedSection;
    private final String title;

    Footgun(String id, String seedSection, String title) {
        this.id = id;
        this.seedSection = seedSection;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String seedSection() {
        return seedSection;
    }

    public String title() {
        return title;
    }

    /** The README section holding this footgun's risk levels and fix; alerts link here too. */
    public String readmeAnchor() {
        return "footgun-" + id.replace('_', '-');
    }
}

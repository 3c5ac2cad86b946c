package dev.tcpfootgun.footgun;

import static dev.tcpfootgun.footgun.TcpInfos.info;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NagleDelayedAckCheckTest {

    final NagleDelayedAckCheck check = new NagleDelayedAckCheck();

    /**
     * What ss -ti showed on loopback for a client without TCP_NODELAY doing write(100), write(100), read:
     * the body (notsent 100) waits behind the header (99 bytes in flight, unacked 1) for the server's delayed ACK.
     */
    static dev.tcpfootgun.snapshot.TcpInfo stalled() {
        return info().minRtt(13).rtt(20_348, 22_703).sndMss(32768).sent(18_400, 184).held(100, 1, 99).build();
    }

    /** The same RTT with nothing held back: a TCP_NODELAY client waiting 35 ms for a server that thinks (ss: unacked 1, no notsent). */
    static dev.tcpfootgun.snapshot.TcpInfo slowPeer() {
        return info().minRtt(11).rtt(35_198, 146).sndMss(32768).sent(2_150, 43).held(0, 1, 49).build();
    }

    @Test
    void aRttInTheBandWithNothingHeldBackIsASlowPeerNotNagleEvenWithDelayedAcksRising() {
        var before = Snapshots.node().netlink().at(0).netstat("TcpExt.DelayedACKs", 100).build();
        var now = Snapshots.node().netlink().at(4).netstat("TcpExt.DelayedACKs", 109) // as measured beside the pausing client
                .connection("127.0.0.1", 59848, "127.0.0.1", 7000, slowPeer(), null)
                // the pausing client's server side: its reply's ACK waits for the next request, nothing unsent
                .connection("127.0.0.1", 7001, "127.0.0.1", 59900, info().minRtt(10).rtt(32_342, 5_667).sndMss(32768)
                        .sent(2_000, 40).held(0, 1, 50).build(), null)
                // bytes unsent, but a full segment in flight: the congestion window or a bulk stream, not Nagle
                .connection("127.0.0.1", 59850, "127.0.0.1", 7002, info().minRtt(10).rtt(40_000, 5_000).sndMss(1448)
                        .sent(2_000_000, 1400).held(65_000, 10, 14_480).build(), null)
                .build();
        Finding f = check.judge(Snapshots.observe(now, before));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).contains("3 more sockets stall in that band with nothing held back: a peer slow to answer, "
                + "or pauses between requests, not Nagle");
    }

    @Test
    void fastPathWithDelayedAckStallsIsAWarningNamingTheDestination() {
        var snap = Snapshots.node().netlink()
                .connection("127.0.0.1", 59848, "127.0.0.1", 7000, stalled(), null)
                .connection("127.0.0.1", 59849, "127.0.0.1", 7000, stalled(), null)
                .connection("127.0.0.1", 40000, "127.0.0.1", 9000, info().minRtt(10).rtt(60, 20).sent(5_000, 50).build(), null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isEqualTo(Status.WARN_AT);
        assertThat(String.join("\n", f.evidence()))
                .contains("2 of 3 established sockets on fast paths (min RTT up to 5.00 ms) hold written data back behind an "
                        + "unacknowledged small segment")
                .contains("127.0.0.1:7000: 2 connections on a 0.01 ms path (min RTT) hold, at worst, 100 bytes written but unsent "
                        + "behind 99 bytes unacknowledged (Nagle waits for the ACK the peer delays); a smoothed RTT of 20 ms ± 23 ms, "
                        + "stalls of about 43 ms per exchange, in the 40-200 ms delayed-ACK band; "
                        + "it sends 100 bytes per segment on average (MSS 32768)")
                .doesNotContain(":9000");
        assertThat(f.fix()).contains("Set TCP_NODELAY on the sockets that connect to 127.0.0.1:7000");
    }

    @Test
    void delayedAcksRisingMakeItCritical() {
        var before = Snapshots.node().netlink().at(0).netstat("TcpExt.DelayedACKs", 100).build();
        var now = Snapshots.node().netlink().at(4).netstat("TcpExt.DelayedACKs", 200)
                .connection("127.0.0.1", 59848, "127.0.0.1", 7000, stalled(), null).build();
        Finding f = check.judge(Snapshots.observe(now, before));
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(f.evidence()).contains("TcpExt DelayedACKs rose by 100 in 4.0 s (25.0/s): delayed-ACK timers are firing");

        // the counter alone is ordinary traffic, not this footgun
        var quiet = Snapshots.node().netlink().at(4).netstat("TcpExt.DelayedACKs", 200).build();
        assertThat(check.judge(Snapshots.observe(quiet, before)).risk()).isZero();
    }

    @Test
    void slowPathsBulkSegmentsAndRttsOutsideTheBandAreNotFlagged() {
        var snap = Snapshots.node().netlink()
                // a WAN path: 45 ms is its real RTT
                .connection("10.0.0.1", 40001, "203.0.113.1", 443, info().minRtt(30_000).rtt(45_000, 5_000).sent(10_000, 100).build(), null)
                // a bulk transfer queueing on a fast path: full-size segments
                .connection("10.0.0.1", 40002, "10.0.0.9", 873, info().minRtt(800).rtt(50_000, 10_000).sndMss(1448)
                        .sent(144_800_000, 100_000).build(), null)
                // far above the 200 ms band
                .connection("10.0.0.1", 40003, "10.0.0.10", 80, info().minRtt(500).rtt(400_000, 50_000).sent(1_000, 10).build(), null)
                // too few segments to judge
                .connection("10.0.0.1", 40004, "10.0.0.11", 80, info().minRtt(500).rtt(40_000, 5_000).sent(500, 5).build(), null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).startsWith("0 of 2 established sockets on fast paths"));
    }

    @Test
    void aServerWritingInPiecesIsNamedByItsListener() {
        var snap = Snapshots.node().netlink().listener("0.0.0.0", 8080, 0, 4096)
                .connection("10.0.0.5", 8080, "10.0.0.20", 51234, info().minRtt(200).rtt(41_000, 3_000).sent(30_000, 300)
                        .held(60, 1, 40).build(), null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).startsWith("clients of 10.0.0.5:8080: 1 connection on a 0.20 ms path"));
        assertThat(f.fix()).contains("the sockets the server on 10.0.0.5:8080 accepts");
    }

    @Test
    void unknownWithoutTcpInfo() {
        var procfs = Snapshots.node().clients("127.0.0.1", "127.0.0.1", 7000,
                dev.tcpfootgun.snapshot.TcpState.ESTABLISHED, 40000, 1, 0).build();
        Finding f = check.judge(Snapshots.observe(procfs, null));
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).isEqualTo("tcp_info needs netlink sock_diag; sockets came from procfs");
        assertThat(f.fix()).contains("TCP_NODELAY");
        var old = Snapshots.node().netlink().connection("127.0.0.1", 1, "127.0.0.1", 2, info().size(104).build(), null).build();
        assertThat(check.judge(Snapshots.observe(old, null)).missing()).contains("min_rtt need Linux 4.6");
        var noInfo = Snapshots.node().netlink().connection("127.0.0.1", 1, "127.0.0.1", 2, null, null).build();
        assertThat(check.judge(Snapshots.observe(noInfo, null)).missing()).isEqualTo("sock_diag sent no tcp_info (INET_DIAG_INFO) with the sockets");
        // only TIME_WAIT sockets: nothing to judge, which is not missing data
        var quiet = Snapshots.node().netlink().clients("127.0.0.1", "127.0.0.1", 7000,
                dev.tcpfootgun.snapshot.TcpState.TIME_WAIT, 40000, 5, 30_000).build();
        assertThat(check.judge(Snapshots.observe(quiet, null)).status()).isEqualTo(Status.OK);
    }
}

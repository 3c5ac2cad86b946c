package dev.tcpfootgun.footgun;

import static dev.tcpfootgun.footgun.TcpInfos.info;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmallSocketBuffersCheckTest {

    final SmallSocketBuffersCheck check = new SmallSocketBuffersCheck();

    /** The seed's node: rmem_max/wmem_max at their old default of 212992 bytes. */
    static Snapshots node() {
        return Snapshots.node().netlink()
                .sysctl("net.core.rmem_max", "212992").sysctl("net.core.wmem_max", "212992")
                .sysctl("net.ipv4.tcp_rmem", "4096\t131072\t6291456").sysctl("net.ipv4.tcp_wmem", "4096\t16384\t4194304");
    }

    /** A socket that was busy for 10 s, {@code rwnd} of it waiting on the peer's window, at 80 ms RTT. */
    static dev.tcpfootgun.snapshot.TcpInfo wan(long rwndMicros, long window) {
        return info().rtt(80_000, 2_000).minRtt(79_000).busy(10_000_000, rwndMicros, 0).sndWnd(window).build();
    }

    @Test
    void seedExampleWindowCapsTheWorstDestination() {
        var snap = node()
                .connection("10.0.0.1", 40001, "10.0.0.7", 5432, wan(6_000_000, 212_992), null)
                .connection("10.0.0.1", 40002, "10.0.0.7", 5432, wan(6_500_000, 212_992), null)
                .connection("10.0.0.1", 40003, "10.0.0.7", 5432, wan(6_400_000, 212_992), null)
                .connection("10.0.0.1", 40004, "10.0.0.8", 443, wan(1_000_000, 212_992), null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isCloseTo(0.63, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(String.join("\n", f.evidence()))
                .contains("4 of 4 established sockets have sent for at least 1 s")
                .contains("10.0.0.7:5432: 3 sockets spent 63 % of their 30.0 s busy time limited by the peer's receive window; "
                        + "at 79 ms path RTT a 212992-byte window caps one connection at 2.7 MB/s (1 Gbit/s needs 9875000 bytes)")
                .contains("net.core.rmem_max 212992, net.ipv4.tcp_rmem maximum 6291456: at 79 ms, the longest path RTT among busy sockets, "
                        + "an autotuned window caps one connection at 79.6 MB/s, a window an application sets with SO_RCVBUF at 2.7 MB/s")
                .doesNotContain("10.0.0.8");
        assertThat(f.fix())
                .contains("1 Gbit/s needs 9875000 bytes in flight")
                .contains("sysctl -w net.core.rmem_max=16777216 net.core.wmem_max=16777216")
                .contains("net.ipv4.tcp_rmem=\"4096 131072 16777216\" net.ipv4.tcp_wmem=\"4096 16384 16777216\"")
                .contains("now rmem_max 212992, wmem_max 212992, tcp_rmem \"4096 131072 6291456\"");
    }

    @Test
    void aWindowThatCarriesAGigabitIsNotTheBuffersFault() {
        // loopback with default buffers: half the busy time rwnd-limited, but a 33 MB window at 0.5 ms carries 66 GB/s
        var snap = node().connection("127.0.0.1", 50000, "127.0.0.1", 7001,
                info().rtt(500, 300).minRtt(3).busy(3_000_000, 1_500_000, 0).sndWnd(33_000_000).build(), null).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isZero();
        assertThat(String.join("\n", f.evidence())).contains("127.0.0.1:7001: 1 socket spent 50 % of its 3.0 s busy time")
                .contains("above 1 Gbit/s: the window is big enough, the reader is slower than the sender");
    }

    @Test
    void aSmoothedRttInflatedByASlowPeerDoesNotMakeAWindowLookSmall() {
        // 35 ms srtt from a peer that thinks 35 ms, over a 0.01 ms path: 64 KiB at the path's RTT carries GB/s
        var snap = node().connection("10.0.0.1", 40001, "10.0.0.7", 5432,
                info().rtt(35_000, 200).minRtt(10).busy(10_000_000, 5_000_000, 0).sndWnd(65_536).build(), null).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isZero();
        assertThat(String.join("\n", f.evidence())).contains("at 0.01 ms path RTT a 65536-byte window caps one connection at")
                .contains("above 1 Gbit/s: the window is big enough");
    }

    @Test
    void socketsThatBarelySentAreNotJudged() {
        var snap = node().connection("10.0.0.1", 40001, "10.0.0.7", 5432,
                info().rtt(80_000, 0).busy(900_000, 900_000, 0).sndWnd(4096).build(), null).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).contains("0 of 1 established sockets have sent for at least 1 s (tcp_info busy_time)");
    }

    @Test
    void sendBufferAtTheSetsockoptCapIsCritical() {
        // an application set SO_SNDBUF: the kernel doubled it up to 2 x wmem_max = 425984
        var snap = node().connection("10.0.0.1", 40001, "192.0.2.9", 873,
                info().rtt(40_000, 1_000).busy(20_000_000, 0, 18_000_000).build(), Snapshots.buffers(131072, 425_984)).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isEqualTo(0.9);
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(String.join("\n", f.evidence()))
                .contains("192.0.2.9:873: 1 socket spent 90 % of its 20.0 s busy time limited by the send buffer; "
                        + "at 40 ms path RTT a 425984-byte window caps one connection at 10.6 MB/s")
                .contains("0 receiving sockets at the receive-buffer cap while autotuning asks for more, "
                        + "1 send-buffer-limited socket at the send-buffer cap");
    }

    @Test
    void receiveBuffersSetBelowTheDefaultAreNamed() {
        var snap = node()
                .connection("127.0.0.1", 7001, "127.0.0.1", 50046, info().build(), Snapshots.buffers(8192, 2_626_560))
                .connection("127.0.0.1", 7002, "127.0.0.1", 50047, info().build(), Snapshots.buffers(65_536, 2_626_560))
                .connection("127.0.0.1", 7003, "127.0.0.1", 50048, info().build(), Snapshots.buffers(131_072, 2_626_560))
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.evidence()).contains("2 established sockets receive into a buffer below tcp_rmem's default 131072 bytes, "
                + "the smallest 8192 bytes on 127.0.0.1:7001 (from 127.0.0.1:50046): an application set SO_RCVBUF, "
                + "which also switches autotuning off");
    }

    @Test
    void acceptedConnectionsAreGroupedByTheirListener() {
        var snap = node().listener("0.0.0.0", 443, 0, 4096)
                .connection("10.0.0.5", 443, "198.51.100.1", 51000, wan(9_000_000, 65_535), null)
                .connection("10.0.0.5", 443, "198.51.100.2", 52000, wan(8_000_000, 65_535), null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isEqualTo(0.85);
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).startsWith("clients of 10.0.0.5:443: 2 sockets spent 85 %"));
    }

    @Test
    void theFixNeverLowersALimitAndGrowsWithTheBdp() {
        var snap = Snapshots.node().netlink()
                .sysctl("net.core.rmem_max", "4194304").sysctl("net.core.wmem_max", "4194304")
                .sysctl("net.ipv4.tcp_rmem", "4096 131072 33554432").sysctl("net.ipv4.tcp_wmem", "4096 16384 4194304")
                .connection("10.0.0.1", 40001, "203.0.113.4", 443,
                        info().rtt(250_000, 0).busy(10_000_000, 9_000_000, 0).sndWnd(1_000_000).build(), null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        // 1 Gbit/s x 250 ms = 31.25 MB: the next power of two above 16 MiB is 32 MiB
        assertThat(f.fix()).contains("net.core.rmem_max=33554432 net.core.wmem_max=33554432")
                .contains("tcp_rmem=\"4096 131072 33554432\"");
    }

    @Test
    void unknownWithoutTcpInfoOrWithoutTheLimitedTimes() {
        var procfs = Snapshots.node().clients("10.0.0.1", "10.0.0.7", 5432,
                dev.tcpfootgun.snapshot.TcpState.ESTABLISHED, 40000, 3, 0).build();
        Finding p = check.judge(Snapshots.observe(procfs, null));
        assertThat(p.status()).isEqualTo(Status.UNKNOWN);
        assertThat(p.missing()).isEqualTo("tcp_info needs netlink sock_diag; sockets came from procfs");
        assertThat(p.fix()).contains("net.core.rmem_max=16777216");

        var old = node().connection("10.0.0.1", 40001, "10.0.0.7", 5432, info().size(168).rtt(80_000, 0).build(), null).build();
        Finding o = check.judge(Snapshots.observe(old, null));
        assertThat(o.status()).isEqualTo(Status.UNKNOWN);
        assertThat(o.missing()).contains("need Linux 4.10").contains("168 bytes");

        assertThat(check.judge(Snapshots.observe(Snapshots.node().socketsFail().build(), null)).missing())
                .isEqualTo("sockets: refused");
    }

    @Test
    void noSocketsIsFine() {
        Finding f = check.judge(Snapshots.observe(node().build(), null));
        assertThat(f.status()).isEqualTo(Status.OK);
    }
}

package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import org.junit.jupiter.api.Test;

class PmtuBlackholeCheckTest {
    private final PmtuBlackholeCheck check = new PmtuBlackholeCheck();

    /** What ss -ti showed for a bulk send into a blackhole here: 78192 bytes queued, backoff 4, mss 1448, pmtu 1500. */
    static TcpSocket stalled(String dst) {
        return socket(dst, 78192, TcpInfos.info().backoff(4).retransmits(4).path(1448, 1448, 1500));
    }

    static TcpSocket socket(String dst, long txQueue, TcpInfos info) {
        return new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint("198.18.1.1", 43514), new Endpoint(dst, 5001),
                txQueue, 0, TcpSocket.TIMER_RETRANSMIT, 3000, 4, info.build(), "cubic", null);
    }

    static Snapshots node(String probing) {
        return Snapshots.node().sysctl("net.ipv4.tcp_mtu_probing", probing).link("lo", 1, 65536, "loopback", true)
                .link("eth0", 2, 1500, "physical", true);
    }

    private Finding judge(Snapshots now) {
        return check.judge(Snapshots.observe(now.build(), null));
    }

    @Test
    void probingOffWhileFullSizeSegmentsStallIsCriticalAndNamesTheDestination() {
        Finding f = judge(node("0").socket(stalled("198.18.2.2")));
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(f.risk()).isEqualTo(0.8);
        assertThat(f.evidence()).contains(
                "net.ipv4.tcp_mtu_probing=0: off, so TCP never shrinks its segments when ICMP fragmentation-needed is lost",
                "1 connection stalls with full-size segments in retransmission backoff: 198.18.2.2:5001 (from 198.18.1.1): "
                        + "78192 bytes unacknowledged, RTO backoff 4, snd_mss 1448 at path MTU 1500");
        assertThat(f.fix()).contains("between this node and 198.18.2.2").contains("--icmp-type fragmentation-needed")
                .contains("sysctl -w net.ipv4.tcp_mtu_probing=1 (now 0)");
    }

    @Test
    void probingOnWithTheSameStallIsAWarning() {
        Finding f = judge(node("1").socket(stalled("198.18.2.2")));
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(String.join(" ", f.evidence())).contains("tcp_mtu_probing=1: blackhole detection on")
                .contains("tcp_base_mss 1024").contains("198.18.2.2:5001");
        assertThat(judge(node("2").socket(stalled("198.18.2.2"))).status()).isEqualTo(Status.WARN);
    }

    @Test
    void probingOnWithoutStallsIsFine() {
        assertThat(judge(node("1").link("vx0", 3, 1450, "vxlan", true)).risk()).isZero();
    }

    @Test
    void probingOffIsFineOnPlainEthernetAndAdviceWithTunnelsOrSmallMtus() {
        assertThat(judge(node("0")).risk()).isZero();
        Finding tunnel = judge(node("0").link("vx0", 3, 1450, "vxlan", true));
        assertThat(tunnel.status()).isEqualTo(Status.ADVICE);
        assertThat(String.join(" ", tunnel.evidence())).contains("paths through vx0 (vxlan, MTU 1450) carry less than 1500 bytes");
        assertThat(tunnel.fix()).contains("--clamp-mss-to-pmtu");
        assertThat(judge(node("0").link("ppp0", 4, 1492, "physical", true)).status()).isEqualTo(Status.ADVICE);
        // a down link carries nothing; loopback is never a path out
        assertThat(judge(node("0").link("ppp0", 4, 1492, "physical", false)).risk()).isZero();
    }

    @Test
    void onlyFullSizeSegmentsInBackoffAreStalls() {
        // less than one segment queued: a small request, not a full-size segment
        assertThat(judge(node("0").socket(socket("198.18.2.2", 100, TcpInfos.info().backoff(3).path(1448, 1448, 1500)))).risk()).isZero();
        // data queued but no timeout yet
        assertThat(judge(node("0").socket(socket("198.18.2.2", 78192, TcpInfos.info().path(1448, 1448, 1500)))).risk()).isZero();
        // MSS already shrunk far below the path MTU: not full-size
        assertThat(judge(node("0").socket(socket("198.18.2.2", 78192, TcpInfos.info().backoff(3).path(512, 1448, 1500)))).risk()).isZero();
        // a retransmission timeout alone (retransmits without backoff) counts
        assertThat(judge(node("0").socket(socket("198.18.2.2", 78192, TcpInfos.info().retransmits(1).path(1448, 1448, 1500)))).risk())
                .isEqualTo(0.8);
        // loopback paths carry 65536 bytes and have no firewall in between
        assertThat(judge(node("0").socket(socket("127.0.0.1", 200000, TcpInfos.info().backoff(3).path(65483, 65483, 65536)))).risk())
                .isZero();
    }

    @Test
    void icmpArrivingOrNotIsEvidence() {
        NodeSnapshot before = node("0").snmp("Icmp.InDestUnreachs", 5).build();
        Finding silent = check.judge(Snapshots.observe(node("0").snmp("Icmp.InDestUnreachs", 5).socket(stalled("198.18.2.2")).build(), before));
        assertThat(silent.evidence()).contains("no ICMP destination-unreachable arrived since the last read while segments stall: "
                + "consistent with ICMP being blocked on the path");
        Finding arriving = check.judge(Snapshots.observe(node("0").snmp("Icmp.InDestUnreachs", 9).snmp("IcmpMsg.InType3", 4)
                .socket(stalled("198.18.2.2")).build(), before));
        assertThat(String.join(" ", arriving.evidence())).contains("4 ICMP destination-unreachable messages arrived since the last read");
    }

    @Test
    void mtuProbesFailingWithProbingOnIsAWarning() {
        NodeSnapshot before = node("1").netstat("TcpExt.TCPMTUPFail", 2).build();
        Finding f = check.judge(Snapshots.observe(node("1").netstat("TcpExt.TCPMTUPFail", 5).build(), before));
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(f.evidence()).contains("TcpExt TCPMTUPFail rose by 3 since the last read: MTU probes are lost on some path");
    }

    @Test
    void socketsWithoutTcpInfoAreNotJudgedAndSaySo() {
        TcpSocket bare = TcpSocket.basic(Family.INET, TcpState.ESTABLISHED, new Endpoint("198.18.1.1", 1), new Endpoint("198.18.2.2", 5001));
        Finding f = judge(node("0").socket(bare));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).contains("stalled connections not judged: tcp_info needs netlink sock_diag; sockets came from procfs");
    }

    @Test
    void unknownWithoutTheSysctl() {
        Finding f = judge(Snapshots.node());
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).isEqualTo("sysctl: sysctl missing in this test"); // the reading's own reason
        Finding without = judge(Snapshots.node().sysctl("net.ipv4.tcp_timestamps", "1"));
        assertThat(without.missing()).isEqualTo("net.ipv4.tcp_mtu_probing: not among the sysctls read");
        Finding unread = judge(Snapshots.node().sysctl("net.ipv4.tcp_timestamps", "1")
                .sysctlUnread("net.ipv4.tcp_mtu_probing", "permission denied: /proc/sys/net/ipv4/tcp_mtu_probing"));
        assertThat(unread.missing()).isEqualTo("net.ipv4.tcp_mtu_probing: permission denied: /proc/sys/net/ipv4/tcp_mtu_probing");
    }
}

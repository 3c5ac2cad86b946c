package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import org.junit.jupiter.api.Test;

class EphemeralPortExhaustionCheckTest {

    final EphemeralPortExhaustionCheck check = new EphemeralPortExhaustionCheck();

    Snapshots node() {
        return Snapshots.node().sysctl("net.ipv4.ip_local_port_range", "40000\t40099")
                .sysctl("net.ipv4.tcp_tw_reuse", "0").sysctl("net.ipv4.tcp_timestamps", "1");
    }

    @Test
    void riskIsTheWorstDestinationsShareOfUsablePorts() {
        var snap = node()
                .clients("10.0.0.1", "10.0.0.7", 5432, TcpState.TIME_WAIT, 40000, 60, 30_000)
                .clients("10.0.0.1", "10.0.0.7", 5432, TcpState.ESTABLISHED, 40060, 30, 0)
                .clients("10.0.0.1", "10.0.0.8", 443, TcpState.ESTABLISHED, 40000, 10, 0)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isEqualTo(0.9);
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(String.join("\n", f.evidence()))
                .contains("10.0.0.7:5432 (from 10.0.0.1) holds 90 of 100 ports (90.0 %), 60 of them in TIME_WAIT; connect() there can take 10 more")
                .contains("0.2 new connections/s");
        assertThat(f.fix()).contains("10.0.0.7:5432").contains("net.ipv4.tcp_tw_reuse=1").contains("now 40000-40099");
    }

    @Test
    void reservedPortsShrinkTheUsableRange() {
        var snap = node().sysctl("net.ipv4.ip_local_reserved_ports", "40000-40049,40090")
                .clients("10.0.0.1", "10.0.0.7", 5432, TcpState.ESTABLISHED, 40050, 20, 0).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        // 100 - 51 reserved = 49 usable, 20 in use
        assertThat(f.risk()).isEqualTo(20 / 49.0);
        assertThat(f.status()).isEqualTo(Status.OK);
    }

    @Test
    void aListenerInTheRangeIsLostToEveryDestinationServerSideSocketsAndPortsOutsideItAreNot() {
        var snap = node()
                .socket(new TcpSocket(Family.INET, TcpState.LISTEN, new Endpoint("0.0.0.0", 40001), new Endpoint("0.0.0.0", 0),
                        0, 0, 0, 0, 0, null, null, null))
                .clients("10.0.0.1", "10.0.0.9", 40500, TcpState.ESTABLISHED, 80, 50, 0)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.risk()).isEqualTo(0.01);
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).startsWith("sockets read from /proc/net/tcp, which lists no socket"));
        assertThat(f.evidence()).contains("1 port held by bind(): 1 listener; connect() skips them for every destination",
                "no connection uses an ephemeral port; a new destination has 99 free ports");
    }

    @Test
    void timeWaitOldEnoughForReuseDoesNotBlockWhenReuseApplies() {
        // tcp_tw_reuse=2 applies to loopback only; 30 s left means 30 s old: reusable; 59.9 s left: too young.
        // Ports as connect() picks them: the low end's parity first, so both groups share ports 40000, 40002, ...
        var snap = Snapshots.node().sysctl("net.ipv4.ip_local_port_range", "40000 40099")
                .sysctl("net.ipv4.tcp_tw_reuse", "2").sysctl("net.ipv4.tcp_timestamps", "1")
                .connected("127.0.0.1", "127.0.0.1", 8080, TcpState.TIME_WAIT, 40000, 40, 30_000)
                .connected("127.0.0.1", "127.0.0.1", 8080, TcpState.TIME_WAIT, 40080, 10, 59_900)
                .connected("10.0.0.1", "10.0.0.7", 5432, TcpState.TIME_WAIT, 40000, 50, 30_000)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        // loopback: 50 in use, 40 reusable -> 10 blocking; remote: 50 blocking (reuse=2 is loopback only)
        assertThat(f.risk()).isEqualTo(0.5);
        assertThat(String.join("\n", f.evidence())).contains("10.0.0.7:5432");
    }

    @Test
    void reuseNeedsTimestamps() {
        var snap = Snapshots.node().sysctl("net.ipv4.ip_local_port_range", "40000 40099")
                .sysctl("net.ipv4.tcp_tw_reuse", "1").sysctl("net.ipv4.tcp_timestamps", "0")
                .clients("10.0.0.1", "10.0.0.7", 5432, TcpState.TIME_WAIT, 40000, 70, 10_000).build();
        assertThat(check.judge(Snapshots.observe(snap, null)).risk()).isEqualTo(0.7);
    }

    @Test
    void unknownWithoutSocketsOrPortRange() {
        Finding noSockets = check.judge(Snapshots.observe(node().socketsFail().build(), null));
        assertThat(noSockets.status()).isEqualTo(Status.UNKNOWN);
        assertThat(noSockets.missing()).contains("refused");
        Finding noRange = check.judge(Snapshots.observe(Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "60").build(), null));
        assertThat(noRange.status()).isEqualTo(Status.UNKNOWN);
        assertThat(noRange.missing()).contains("ip_local_port_range");
        assertThat(noRange.risk()).isNaN();
    }

    @Test
    void theSentencesWrittenWhenReadNameTheirOwnObservation() {
        // both judged before either is read: each finding's sentences still name its own census
        Finding narrow = check.judge(Snapshots.observe(node()
                .clients("10.0.0.1", "10.0.0.7", 5432, TcpState.ESTABLISHED, 40000, 30, 0).build(), null));
        Finding wide = check.judge(Snapshots.observe(node().sysctl("net.ipv4.ip_local_port_range", "40000\t40199")
                .clients("10.0.0.1", "10.0.0.9", 443, TcpState.ESTABLISHED, 40000, 50, 0).build(), null));
        Finding none = check.judge(Snapshots.observe(node().build(), null));
        assertThat(wide.evidence()).contains("ip_local_port_range 40000-40199 minus 0 reserved leaves 200 usable ports per destination");
        assertThat(String.join("\n", wide.evidence())).contains("10.0.0.9:443 (from 10.0.0.1) holds 50 of 200 ports (25.0 %)");
        assertThat(wide.fix()).contains("Pool and reuse connections to 10.0.0.9:443").contains("(now 40000-40199)");
        assertThat(narrow.evidence()).contains("ip_local_port_range 40000-40099 minus 0 reserved leaves 100 usable ports per destination");
        assertThat(String.join("\n", narrow.evidence())).contains("10.0.0.7:5432 (from 10.0.0.1) holds 30 of 100 ports (30.0 %)");
        assertThat(narrow.fix()).contains("Pool and reuse connections to 10.0.0.7:5432").contains("(now 40000-40099)");
        assertThat(narrow.risk()).isEqualTo(0.3);
        assertThat(wide.risk()).isEqualTo(0.25);
        assertThat(none.evidence()).contains("no connection uses an ephemeral port; a new destination has 100 free ports");
        assertThat(none.fix()).contains("Pool and reuse connections to the busiest destination");
        assertThat(none.risk()).isZero();
    }
}

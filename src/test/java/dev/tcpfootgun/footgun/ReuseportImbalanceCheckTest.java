package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReuseportImbalanceCheckTest {

    final ReuseportImbalanceCheck check = new ReuseportImbalanceCheck();

    static Snapshots node() {
        return Snapshots.node().netlink().sysctl("net.core.somaxconn", "4096");
    }

    static Snapshots stuckWorker(Snapshots s) {
        return s.listener("0.0.0.0", 8080, 5, 4).listener("0.0.0.0", 8080, 0, 4)
                .listener("0.0.0.0", 8080, 0, 4).listener("0.0.0.0", 8080, 1, 4)
                .listener("0.0.0.0", 22, 0, 128);
    }

    @Test
    void bothListenerChecksJudgeTheOneGroupingOfAnObservation() {
        Observation o = Snapshots.observe(stuckWorker(node()).build(), null);
        ListenerGroups groups = o.listenerGroups();
        assertThat(o.listenerGroups()).isSameAs(groups);
        assertThat(groups).isEqualTo(ListenerGroups.of(o, ListenerGroups.somaxconn(o)));
        assertThat(groups.listenerCount()).isEqualTo(5);
        // each check's verdict is the one it reaches on a fresh observation
        Observation fresh = Snapshots.observe(stuckWorker(node()).build(), null);
        assertThat(new ListenQueueOverflowCheck().judge(o)).isEqualTo(new ListenQueueOverflowCheck().judge(fresh));
        assertThat(check.judge(o)).isEqualTo(check.judge(Snapshots.observe(stuckWorker(node()).build(), null)));
        assertThat(Snapshots.observe(node().socketsFail().build(), null).listenerGroups()).isNull();
    }

    @Test
    void oneFullListenerWithIdlePeersIsCritical() {
        Finding f = check.judge(Snapshots.observe(stuckWorker(node()).build(), null));
        assertThat(f.risk()).isEqualTo(Status.CRITICAL_AT);
        assertThat(f.evidence()).containsExactly(
                "5 listening sockets on 2 addresses, 1 of them shared by SO_REUSEPORT groups; net.core.somaxconn=4096 caps every listen() backlog",
                "0.0.0.0:8080: 4 SO_REUSEPORT listeners with accept queues 5/4, 0/4, 0/4, 1/4 (queued/backlog): one is full while 2 are idle; "
                        + "the kernel hashes each new connection to a listener by address and port, not by load, "
                        + "so the ones that land on the full queue are dropped");
        assertThat(f.fix()).startsWith("On 0.0.0.0:8080 the worker that owns the full listener is not calling accept()")
                .contains("1/4 of new connections")
                .contains("listen(fd, 8192) with sysctl -w net.core.somaxconn=8192 (now 4096)")
                .contains("SO_REUSEADDR");
    }

    @Test
    void overflowsRisingWhileImbalancedIsFailingNow() {
        var before = node().at(0).netstat("TcpExt.ListenOverflows", 10).netstat("TcpExt.ListenDrops", 10).build();
        var now = stuckWorker(node().at(5).netstat("TcpExt.ListenOverflows", 47).netstat("TcpExt.ListenDrops", 47)).build();
        Finding f = check.judge(Snapshots.observe(now, before));
        assertThat(f.risk()).isEqualTo(1.0);
        assertThat(f.evidence()).contains("TcpExt ListenOverflows rose by 37 and ListenDrops by 37 in 5.0 s: "
                + "connections were dropped at the full queue of 0.0.0.0:8080");
    }

    @Test
    void aStandaloneListenerOverflowingIsNoSoReuseportProblem() {
        var before = node().at(0).netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.ListenDrops", 0).build();
        var now = node().at(5).netstat("TcpExt.ListenOverflows", 3).netstat("TcpExt.ListenDrops", 3)
                .listener("10.0.0.5", 443, 129, 128).listener("0.0.0.0", 22, 0, 128).build();
        Finding f = check.judge(Snapshots.observe(now, before));
        assertThat(f.risk()).isZero();
        assertThat(String.join("\n", f.evidence()))
                .contains("no SO_REUSEPORT group is out of balance, so the overflow is reported under listen_queue_overflow");
        assertThat(f.fix()).doesNotContain("10.0.0.5:443");
    }

    @Test
    void busyButBalancedGroupsAreFine() {
        var snap = node().listener("0.0.0.0", 8080, 3, 4).listener("0.0.0.0", 8080, 2, 4).listener("0.0.0.0", 8080, 4, 4).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        // all full or busy, none idle: overload, not imbalance, and no overflow counted
        assertThat(f.risk()).isZero();
    }

    @Test
    void procfsHasNoBacklogSoSomaxconnStandsIn() {
        var snap = Snapshots.node().sysctl("net.core.somaxconn", "16")
                .listener("0.0.0.0", 8080, 16, 0).listener("0.0.0.0", 8080, 0, 0).build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).contains("accept queues 16/16, 0/16"));
    }

    @Test
    void unknownWhenSocketsCannotBeRead() {
        Finding f = check.judge(Snapshots.observe(Snapshots.node().socketsFail().build(), null));
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).contains("refused");
    }
}

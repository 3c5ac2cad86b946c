package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ListenQueueOverflowCheckTest {

    final ListenQueueOverflowCheck check = new ListenQueueOverflowCheck();

    static Snapshots node() {
        return Snapshots.node().netlink().sysctl("net.core.somaxconn", "4096");
    }

    @Test
    void overflowsWhileALoneListenerIsFullAreCriticalAndNameIt() {
        var before = node().at(0).netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.ListenDrops", 0).build();
        var now = node().at(5).netstat("TcpExt.ListenOverflows", 3).netstat("TcpExt.ListenDrops", 3)
                .listener("10.0.0.5", 443, 129, 128).listener("0.0.0.0", 22, 0, 128).build();
        Finding f = check.judge(Snapshots.observe(now, before));
        assertThat(f.risk()).isEqualTo(Status.CRITICAL_AT);
        assertThat(String.join("\n", f.evidence()))
                .contains("10.0.0.5:443, a single listener (in no SO_REUSEPORT group): accept queue full (129/128 queued/backlog)")
                .contains("(fullest now: 10.0.0.5:443, a single listener (in no SO_REUSEPORT group), 129/128)");
        assertThat(f.fix()).startsWith("Accept faster on 10.0.0.5:443").contains("net.core.somaxconn=8192 (now 4096)");
    }

    @Test
    void aFullQueueWithoutCountersYetIsAWarningAndOverflowsWithoutAFullQueueToo() {
        Finding full = check.judge(Snapshots.observe(node().listener("10.0.0.5", 443, 128, 128).build(), null));
        assertThat(full.risk()).isEqualTo(Status.WARN_AT);
        var before = node().at(0).netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.ListenDrops", 0).build();
        var now = node().at(5).netstat("TcpExt.ListenOverflows", 2).netstat("TcpExt.ListenDrops", 2)
                .listener("10.0.0.5", 443, 3, 128).build();
        Finding drained = check.judge(Snapshots.observe(now, before));
        assertThat(drained.risk()).isEqualTo(Status.WARN_AT);
        assertThat(String.join("\n", drained.evidence())).contains("(fullest now: 10.0.0.5:443, a single listener");
    }

    @Test
    void aGroupFullThroughoutOverflowsHereButAnImbalancedOneIsLeftToReuseportImbalance() {
        Finding allFull = check.judge(Snapshots.observe(node().listener("0.0.0.0", 8080, 4, 4).listener("0.0.0.0", 8080, 4, 4).build(), null));
        assertThat(allFull.risk()).isEqualTo(Status.WARN_AT);
        assertThat(String.join("\n", allFull.evidence())).contains("0.0.0.0:8080, an SO_REUSEPORT group of 2 listeners: accept queues full");

        var before = node().at(0).netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.ListenDrops", 0).build();
        var now = ReuseportImbalanceCheckTest.stuckWorker(node().at(5).netstat("TcpExt.ListenOverflows", 9)
                .netstat("TcpExt.ListenDrops", 9)).build();
        Finding imbalanced = check.judge(Snapshots.observe(now, before));
        assertThat(imbalanced.risk()).isZero();
        assertThat(String.join("\n", imbalanced.evidence())).contains("see reuseport_imbalance");
    }

    @Test
    void quietListenersAreFineAndUnreadSocketsUnknown() {
        assertThat(check.judge(Snapshots.observe(node().listener("0.0.0.0", 22, 0, 128).build(), null)).risk()).isZero();
        Finding f = check.judge(Snapshots.observe(Snapshots.node().socketsFail().build(), null));
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
    }
}

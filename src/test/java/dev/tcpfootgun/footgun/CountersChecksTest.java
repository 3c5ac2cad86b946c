package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Conntrack;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The checks of issue 2 that judge sysctls and counters, with rates between two snapshots. */
class CountersChecksTest {

    static Conntrack ct(long count, long max, long drop, long insertFailed) {
        return new Conntrack(count, OptionalLong.of(max), OptionalLong.of(65536), OptionalLong.of(120),
                Map.of("drop", drop, "early_drop", 0L, "insert_failed", insertFailed), Conntrack.StatsOrigin.PROCFS, "", "");
    }

    @Test
    void conntrackRiskIsFillAndOneWhileDropping() {
        var check = new ConntrackTableFullCheck();
        var before = Snapshots.node().conntrack(ct(1000, 262144, 5, 0)).build();
        var calm = Snapshots.node().conntrack(ct(196608, 262144, 5, 0)).build();
        Finding f = check.judge(Snapshots.observe(calm, before));
        assertThat(f.risk()).isEqualTo(0.75);
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(f.evidence()).contains("196608 of 262144 conntrack entries in use (75.0 %)");
        assertThat(f.fix()).contains("nf_conntrack_max=1048576").contains("320 MiB").contains("time_wait=60 (now 120)");

        var dropping = Snapshots.node().conntrack(ct(2000, 262144, 9, 0)).build();
        Finding d = check.judge(Snapshots.observe(dropping, before));
        assertThat(d.risk()).isEqualTo(1.0);
        assertThat(String.join(" ", d.evidence())).contains("drop rose by 4");

        var racing = Snapshots.node().conntrack(ct(2000, 262144, 5, 3)).build();
        assertThat(check.judge(Snapshots.observe(racing, before)).status()).isEqualTo(Status.WARN);
        // no previous read: no rate, no rise
        assertThat(check.judge(Snapshots.observe(dropping, null)).risk()).isLessThan(0.01);
    }

    @Test
    void conntrackUnknownWithoutTheModule() {
        Finding f = new ConntrackTableFullCheck().judge(Snapshots.observe(Snapshots.node().build(), null));
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).isEqualTo("conntrack: conntrack missing in this test"); // the reading's own reason
    }

    @Test
    void lowFinTimeoutIsAdviceNearlyFullBucketsWarnAndTimeWaitOverflowIsCritical() {
        var check = new TimeWaitTuningCheck();
        var tuned = Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "5").sysctl("net.ipv4.tcp_max_tw_buckets", "262144")
                .timeWaitCount(1000).netstat("TcpExt.TCPTimeWaitOverflow", 10).build();
        Finding f = check.judge(Snapshots.observe(tuned, null));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).contains("tcp_fin_timeout is 5 s (default 60)"));

        // measured: TIME_WAIT sockets at 90 % of the buckets, whatever tcp_fin_timeout says
        var nearlyFull = Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "60").sysctl("net.ipv4.tcp_max_tw_buckets", "1000")
                .timeWaitCount(950).build();
        Finding n = check.judge(Snapshots.observe(nearlyFull, null));
        assertThat(n.status()).isEqualTo(Status.WARN);
        assertThat(n.evidence()).contains("950 TIME_WAIT sockets of tcp_max_tw_buckets 1000 (95.0 %)");

        var overflowing = Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "60").sysctl("net.ipv4.tcp_max_tw_buckets", "1000")
                .timeWaitCount(1000).netstat("TcpExt.TCPTimeWaitOverflow", 25).build();
        Finding o = check.judge(Snapshots.observe(overflowing, tuned));
        assertThat(o.status()).isEqualTo(Status.CRITICAL);
        assertThat(String.join(" ", o.evidence())).contains("rose by 15").contains("1000 TIME_WAIT sockets of tcp_max_tw_buckets 1000");

        var defaults = Snapshots.node().sysctl("net.ipv4.tcp_fin_timeout", "60").sysctl("net.ipv4.tcp_max_tw_buckets", "262144")
                .timeWaitCount(10).build();
        assertThat(check.judge(Snapshots.observe(defaults, null)).status()).isEqualTo(Status.OK);
    }

    @Test
    void twRecycleOnIsAdviceUntilPawsRejectsAreMeasured() {
        var check = new TwRecycleNatCheck();
        var old = Snapshots.node().sysctl("net.ipv4.tcp_tw_recycle", "1").sysctl("net.ipv4.tcp_timestamps", "1")
                .netstat("TcpExt.PAWSPassive", 3).build();
        assertThat(check.judge(Snapshots.observe(old, null)).status()).isEqualTo(Status.ADVICE);
        var rejecting = Snapshots.node().sysctl("net.ipv4.tcp_tw_recycle", "1").sysctl("net.ipv4.tcp_timestamps", "1")
                .netstat("TcpExt.PAWSPassive", 7).build();
        Finding dropping = check.judge(Snapshots.observe(rejecting, old));
        assertThat(dropping.status()).isEqualTo(Status.CRITICAL);
        assertThat(dropping.evidence()).contains("TcpExt PAWSPassive rose by 4: passive connections rejected because of time stamp");
        var inert = Snapshots.node().sysctl("net.ipv4.tcp_tw_recycle", "1").sysctl("net.ipv4.tcp_timestamps", "0").build();
        assertThat(check.judge(Snapshots.observe(inert, null)).status()).isEqualTo(Status.ADVICE);
        var modern = Snapshots.node().sysctl("net.ipv4.tcp_timestamps", "1").netstat("TcpExt.PAWSPassive", 3).build();
        Finding ok = check.judge(Snapshots.observe(modern, null));
        assertThat(ok.status()).isEqualTo(Status.OK);
        assertThat(ok.evidence()).contains("tcp_tw_recycle does not exist on this kernel (removed in 4.12)");
        var rising = Snapshots.node().sysctl("net.ipv4.tcp_timestamps", "1").netstat("TcpExt.PAWSPassive", 9).build();
        assertThat(check.judge(Snapshots.observe(rising, modern)).status()).isEqualTo(Status.WARN);
    }
}

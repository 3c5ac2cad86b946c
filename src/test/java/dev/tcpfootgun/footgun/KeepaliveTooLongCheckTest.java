package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tcpfootgun.snapshot.TcpSocket;
import org.junit.jupiter.api.Test;

class KeepaliveTooLongCheckTest {

    final KeepaliveTooLongCheck check = new KeepaliveTooLongCheck();

    static Snapshots keepalive(String time, String intvl, String probes) {
        return Snapshots.node().sysctl("net.ipv4.tcp_keepalive_time", time).sysctl("net.ipv4.tcp_keepalive_intvl", intvl)
                .sysctl("net.ipv4.tcp_keepalive_probes", probes).sysctl("net.ipv4.tcp_retries2", "15");
    }

    @Test
    void linuxDefaultsAreAdvice() {
        var snap = keepalive("7200", "75", "9")
                .connection("10.0.0.1", 40001, "10.0.0.7", 5432, null, null)
                .connection("10.0.0.1", 40002, "10.0.0.7", 5432, null, null)
                .connection("10.0.0.1", 40003, "10.0.0.7", 5432, TcpSocket.TIMER_KEEPALIVE, 0, null, null)
                .build();
        Finding f = check.judge(Snapshots.observe(snap, null));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.risk()).isEqualTo(Status.ADVICE_RISK);
        assertThat(f.evidence()).containsExactly(
                "a dead peer is detected after tcp_keepalive_time 7200 s + 9 probes x tcp_keepalive_intvl 75 s = 7875 s (2 h 11 min); "
                        + "the seed's 300/30/5 takes 450 s (7.5 min)",
                "tcp_retries2=15: a connection with unacknowledged data to a dead peer gives up after about 924.6 s (15.4 min)",
                "2 of 3 established sockets have no timer armed, so no keepalive (SO_KEEPALIVE off): "
                        + "the sysctls do not protect them, only the application's own keepalive or timeout does");
        assertThat(f.fix()).startsWith("sysctl -w net.ipv4.tcp_keepalive_time=300 net.ipv4.tcp_keepalive_intvl=30 "
                + "net.ipv4.tcp_keepalive_probes=5 (450 s to detect a dead peer; now 7200/75/9, 7875 s) and persist it in /etc/sysctl.d/");
    }

    @Test
    void theSeedsValuesAndUpToTwiceTheirDetectionTimeAreFine() {
        assertThat(check.judge(Snapshots.observe(keepalive("300", "30", "5").build(), null)).risk()).isZero();
        assertThat(check.judge(Snapshots.observe(keepalive("600", "60", "5").build(), null)).risk()).isZero();
        assertThat(check.judge(Snapshots.observe(keepalive("601", "60", "5").build(), null)).status()).isEqualTo(Status.ADVICE);
    }

    @Test
    void peersMeasuredNotAnsweringMakeLongDetectionAWarning() {
        var probing = keepalive("7200", "75", "9")
                .connection("10.0.0.1", 40001, "10.0.0.7", 5432, TcpSocket.TIMER_KEEPALIVE, 2, null, null)
                .connection("10.0.0.1", 40002, "10.0.0.7", 5432, TcpSocket.TIMER_RETRANSMIT, 5, null, null)
                .connection("10.0.0.1", 40003, "10.0.0.7", 5432, TcpSocket.TIMER_RETRANSMIT, 1, null, null)
                .build();
        Finding f = check.judge(Snapshots.observe(probing, null));
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(f.evidence()).contains("1 established sockets have unanswered keepalive probes and 1 have retransmitted 3 or more times: "
                + "their peers stopped answering and the connections are held until detection runs out");

        var tuned = keepalive("300", "30", "5")
                .connection("10.0.0.1", 40001, "10.0.0.7", 5432, TcpSocket.TIMER_KEEPALIVE, 2, null, null).build();
        assertThat(check.judge(Snapshots.observe(tuned, null)).risk()).isZero();
    }

    @Test
    void retransmissionGiveUpFollowsTheKernelsBackoff() {
        assertThat(KeepaliveTooLongCheck.retransmissionGiveUpSeconds(15)).isCloseTo(924.6, within(1e-9));
        assertThat(KeepaliveTooLongCheck.retransmissionGiveUpSeconds(8)).isCloseTo(102.2, within(1e-9));
        assertThat(KeepaliveTooLongCheck.retransmissionGiveUpSeconds(3)).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void unknownWithoutTheSysctls() {
        assertThat(check.judge(Snapshots.observe(Snapshots.node().build(), null)).status()).isEqualTo(Status.UNKNOWN);
        Finding f = check.judge(Snapshots.observe(Snapshots.node().sysctl("net.ipv4.tcp_keepalive_time", "7200").build(), null));
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).contains("tcp_keepalive_intvl");
    }
}

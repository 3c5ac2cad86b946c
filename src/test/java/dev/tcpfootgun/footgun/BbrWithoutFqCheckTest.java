package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import org.junit.jupiter.api.Test;

class BbrWithoutFqCheckTest {
    private final BbrWithoutFqCheck check = new BbrWithoutFqCheck();
    static final long ROOT = Qdisc.TC_H_ROOT;

    /** lo (noqueue) and eth0 (ifindex 2) with this root qdisc, on kernel 6.18. */
    static Snapshots node(String congestion, String eth0Root) {
        return Snapshots.node().sysctl("net.ipv4.tcp_congestion_control", congestion)
                .sysctl("net.core.default_qdisc", "pfifo_fast").sysctl("kernel.osrelease", "6.18.44-fc-v782")
                .link("lo", 1, 65536, "loopback", true).link("eth0", 2, 1500, "physical", true)
                .qdisc(1, 0, ROOT, "noqueue").qdisc(2, 0x80010000L, ROOT, eth0Root);
    }

    private Finding judge(Snapshots s) {
        return check.judge(Snapshots.observe(s.build(), null));
    }

    @Test
    void bbrOverPfifoFastIsAdviceOnAKernelThatPacesInternally() {
        Finding f = judge(node("bbr", "pfifo_fast"));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.risk()).isEqualTo(Status.ADVICE_RISK);
        assertThat(f.evidence()).contains("net.ipv4.tcp_congestion_control=bbr", "BBR sends without fq through eth0 (root pfifo_fast)",
                "net.core.default_qdisc=pfifo_fast: new interfaces start without fq too");
        assertThat(String.join(" ", f.evidence())).contains("kernel 6.18.44-fc-v782 paces TCP internally (since 4.13)");
        assertThat(f.fix()).contains("tc qdisc replace dev eth0 root fq").contains("sysctl -w net.core.default_qdisc=fq (now pfifo_fast)")
                .contains("nmcli connection modify");
    }

    @Test
    void cubicOverPfifoFastIsFine() {
        Finding f = judge(node("cubic", "pfifo_fast"));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).contains("net.ipv4.tcp_congestion_control=cubic",
                "no connection uses BBR, so nothing relies on fq for pacing");
    }

    @Test
    void cubicNeedsNoQdiscsSoTheirAbsenceIsNotUnknown() {
        Finding f = judge(Snapshots.node().sysctl("net.ipv4.tcp_congestion_control", "cubic"));
        assertThat(f.status()).isEqualTo(Status.OK);
        Finding bbr = judge(Snapshots.node().sysctl("net.ipv4.tcp_congestion_control", "bbr").link("eth0", 2, 1500, "physical", true));
        assertThat(bbr.status()).isEqualTo(Status.UNKNOWN);
        assertThat(bbr.missing()).isEqualTo("qdisc: qdisc missing in this test");
    }

    @Test
    void aSocketUsingBbrCountsWhenTheDefaultIsCubic() {
        TcpSocket bbr = new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.7", 40000), new Endpoint("10.0.0.9", 443),
                0, 0, 0, 0, 0, null, "bbr", null);
        Finding f = judge(node("cubic", "pfifo_fast").socket(bbr));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.evidence()).contains("net.ipv4.tcp_congestion_control=cubic; 1 connection uses BBR");
        // BBR on loopback only leaves nothing unpaced on the wire
        TcpSocket local = new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint("127.0.0.1", 40000), new Endpoint("127.0.0.1", 443),
                0, 0, 0, 0, 0, null, "bbr", null);
        assertThat(judge(node("cubic", "pfifo_fast").socket(local)).risk()).isZero();
    }

    @Test
    void fqAtTheRootOrUnderEveryMqQueueIsFine() {
        assertThat(judge(node("bbr", "fq")).risk()).isZero();
        Finding mqFq = judge(node("bbr", "mq").qdisc(2, 0x80020000L, 0x80010001L, "fq").qdisc(2, 0x80030000L, 0x80010002L, "fq"));
        assertThat(mqFq.risk()).isZero();
        assertThat(mqFq.evidence()).contains("on fq: eth0");
    }

    @Test
    void mqWithAnyOtherChildIsFlaggedAndFixedThroughTheDefaultQdisc() {
        Finding f = judge(node("bbr", "mq").qdisc(2, 0x80020000L, 0x80010001L, "fq").qdisc(2, 0x80030000L, 0x80010002L, "pfifo_fast")
                // a child of another interface's mq does not count for eth0
                .qdisc(7, 0x80040000L, 0x80010001L, "pfifo_fast"));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.evidence()).contains("BBR sends without fq through eth0 (root mq with children 1 fq, 1 pfifo_fast)");
        assertThat(f.fix()).contains("tc qdisc del dev eth0 root (the kernel re-attaches mq with the default qdisc, fq, on every queue)");
        assertThat(judge(node("bbr", "mq")).evidence()).contains("BBR sends without fq through eth0 (root mq without visible children)");
    }

    @Test
    void downInterfacesAndLoopbackAreNotEgress() {
        Finding f = judge(node("bbr", "fq").link("eth1", 3, 1500, "physical", false).qdisc(3, 0, ROOT, "pfifo_fast"));
        assertThat(f.risk()).isZero();
    }

    @Test
    void olderKernelsWithoutInternalPacingWarnOnceConnectionsAreMeasuredUsingBbr() {
        TcpSocket bbr = new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.7", 40000), new Endpoint("10.0.0.9", 443),
                0, 0, 0, 0, 0, null, "bbr", null);
        Finding f = judge(node("bbr", "pfifo_fast").sysctl("kernel.osrelease", "4.9.0-8-amd64").socket(bbr));
        assertThat(f.status()).isEqualTo(Status.WARN);
        assertThat(f.evidence()).contains("net.ipv4.tcp_congestion_control=bbr; 1 connection uses BBR");
        // only the sysctl names BBR: nothing measured sends unpaced yet
        assertThat(judge(node("bbr", "pfifo_fast").sysctl("kernel.osrelease", "4.9.0-8-amd64")).status()).isEqualTo(Status.ADVICE);
        assertThat(String.join(" ", f.evidence())).contains("predates TCP internal pacing (4.13)").doesNotContain("silently keeps CUBIC");
        assertThat(String.join(" ", judge(node("bbr", "pfifo_fast").sysctl("kernel.osrelease", "4.4.0")).evidence()))
                .contains("before 4.9 BBR does not exist and the kernel silently keeps CUBIC");
    }

    @Test
    void anUnknownReleaseIsAssumedToPaceAndSaysSo() {
        Finding f = judge(node("bbr", "pfifo_fast").sysctl("kernel.osrelease", "weird"));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(String.join(" ", f.evidence())).contains("kernel release unknown: assumed 4.13 or newer");
    }

    @Test
    void kernelReleases() {
        assertThat(KernelRelease.parse("6.18.44-fc-v782")).contains(new KernelRelease(6, 18));
        assertThat(KernelRelease.parse("4.13")).contains(new KernelRelease(4, 13));
        assertThat(KernelRelease.parse("v5")).isEmpty();
        assertThat(KernelRelease.parse(null)).isEmpty();
        assertThat(new KernelRelease(4, 13).atLeast(new KernelRelease(4, 9))).isTrue();
        assertThat(new KernelRelease(4, 12).atLeast(KernelFacts.TCP_INTERNAL_PACING_SINCE)).isFalse();
        assertThat(new KernelRelease(10, 0).atLeast(KernelFacts.TCP_INTERNAL_PACING_SINCE)).isTrue();
    }
}

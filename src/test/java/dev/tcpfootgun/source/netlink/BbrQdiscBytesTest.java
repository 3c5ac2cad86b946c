package dev.tcpfootgun.source.netlink;

import static dev.tcpfootgun.source.netlink.RtnetlinkDecoderTest.link;
import static dev.tcpfootgun.source.netlink.RtnetlinkDecoderTest.qdisc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.footgun.BbrWithoutFqCheck;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * bbr_without_fq judged on qdiscs decoded from rtnetlink bytes: the fq cases built to
 * RTM_NEWQDISC's format (this kernel has no fq to capture), the mq-over-pfifo_fast case captured
 * from kernel 6.18 (qdisc_netns.bin, see the README beside it).
 */
class BbrQdiscBytesTest {
    private static final int IF_OPER_UP = 6;
    private static final int ARPHRD_ETHER = 1;
    private static final int ROOT = 0xFFFFFFFF;
    private final ParseLog log = new ParseLog();

    @Test
    void fqRootAndMqWithFqOnEveryQueueAreNotFlaggedMqWithPfifoFastIs() throws IOException {
        List<NetInterface> links = RtnetlinkLinks.decode(NetlinkBytes.segment(
                link(2, ARPHRD_ETHER, "eth0", 1500, IF_OPER_UP),
                link(3, ARPHRD_ETHER, "eth1", 1500, IF_OPER_UP),
                link(4, ARPHRD_ETHER, "eth2", 1500, IF_OPER_UP)), log);
        List<Qdisc> qdiscs = RtnetlinkQdiscs.decode(NetlinkBytes.segment(
                qdisc(2, 0x80010000, ROOT, "fq"),
                qdisc(3, 0x00010000, ROOT, "mq"),
                qdisc(3, 0x80020000, 0x00010001, "fq"),
                qdisc(3, 0x80030000, 0x00010002, "fq"),
                qdisc(3, 0, 0xFFFFFFF1, "ingress"),
                qdisc(4, 0x00010000, ROOT, "mq"),
                qdisc(4, 0x80040000, 0x00010001, "fq"),
                qdisc(4, 0x80050000, 0x00010002, "pfifo_fast")), log);
        assertThat(log.skipped()).isZero();

        Finding f = judge(links, qdiscs);
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.evidence()).contains("on fq: eth0, eth1", "BBR sends without fq through eth2 (root mq with children 1 fq, 1 pfifo_fast)");
        assertThat(f.fix()).contains("tc qdisc del dev eth2 root").doesNotContain("dev eth0").doesNotContain("dev eth1");

        Finding allFq = judge(links.subList(0, 2), qdiscs);
        assertThat(allFq.risk()).isZero();
        assertThat(allFq.status()).isEqualTo(Status.OK);
    }

    @Test
    void capturedMqWithPfifoFastChildrenAndAPfifoFastRootAreFlagged() throws IOException {
        List<Qdisc> qdiscs = RtnetlinkQdiscs.decode(NetlinkBytes.segment(NetlinkBytes.resource("qdisc_netns.bin")), log);
        List<NetInterface> links = RtnetlinkLinks.decode(NetlinkBytes.segment(NetlinkBytes.resource("links_netns.bin")), log);
        Finding f = judge(links, qdiscs);
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.evidence()).contains(
                "BBR sends without fq through v1 (root pfifo_fast), v0 (root mq with children 4 pfifo_fast)"); // br0, vx0 are down
        assertThat(f.fix()).contains("tc qdisc del dev v0 root").contains("tc qdisc replace dev v1 root fq");
    }

    private static Finding judge(List<NetInterface> links, List<Qdisc> qdiscs) {
        Sysctls sysctls = new Sysctls(Map.of("net.ipv4.tcp_congestion_control", "bbr", "kernel.osrelease", "6.18.44"));
        NodeSnapshot s = NodeSnapshot.of(0, List.of(Reading.ok("sockets", SocketTable.empty(), 0, 0),
                Reading.ok("sysctl", sysctls, 0, 0), Reading.ok("interfaces", links, 0, 0), Reading.ok("qdisc", qdiscs, 0, 0)));
        return new BbrWithoutFqCheck().judge(new Observation(s, null));
    }
}

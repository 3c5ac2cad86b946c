package dev.tcpfootgun.source.netlink;

import static dev.tcpfootgun.source.netlink.NetlinkBytes.attr;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.message;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.string;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.u32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** qdisc_netns.bin and links_netns.bin were captured from kernel 6.18 (see the README beside them). */
class RtnetlinkDecoderTest {
    private final ParseLog log = new ParseLog();

    @Test
    void capturedQdiscsShowRootsAndMqChildren() throws IOException {
        List<Qdisc> qdiscs = RtnetlinkQdiscs.decode(NetlinkBytes.segment(NetlinkBytes.resource("qdisc_netns.bin")), log);
        List<NetInterface> links = RtnetlinkLinks.decode(NetlinkBytes.segment(NetlinkBytes.resource("links_netns.bin")), log);
        int lo = ifindex(links, "lo");
        int v0 = ifindex(links, "v0");
        int v1 = ifindex(links, "v1");

        assertThat(log.skipped()).isZero();
        assertThat(qdiscs).filteredOn(Qdisc::isRoot)
                .extracting(Qdisc::ifindex, Qdisc::kind)
                .containsExactlyInAnyOrder(tuple(lo, "noqueue"), tuple(v1, "pfifo_fast"), tuple(v0, "mq"));
        Qdisc mq = qdiscs.stream().filter(q -> q.ifindex() == v0 && q.isRoot()).findFirst().orElseThrow();
        assertThat(mq.handle()).isEqualTo(0x10000L); // "1:"
        assertThat(qdiscs).filteredOn(q -> q.ifindex() == v0 && !q.isRoot())
                .extracting(Qdisc::parent, Qdisc::kind)
                .containsExactlyInAnyOrder(
                        tuple(0x10001L, "pfifo_fast"), tuple(0x10002L, "pfifo_fast"),
                        tuple(0x10003L, "pfifo_fast"), tuple(0x10004L, "pfifo_fast"));
    }

    @Test
    void capturedLinksHaveKindMtuAndOperstate() throws IOException {
        List<NetInterface> links = RtnetlinkLinks.decode(NetlinkBytes.segment(NetlinkBytes.resource("links_netns.bin")), log);
        assertThat(log.skipped()).isZero();
        assertThat(links).extracting(NetInterface::name, NetInterface::kind, NetInterface::mtu, NetInterface::operUp)
                .containsExactlyInAnyOrder(
                        tuple("lo", "loopback", 65536L, true), // operstate UNKNOWN counts as up
                        tuple("v0", "veth", 1500L, true),
                        tuple("v1", "veth", 1500L, true),
                        tuple("br0", "bridge", 1500L, false),
                        tuple("vx0", "vxlan", 1450L, false));
    }

    /** This kernel has no fq, so an fq root and fq under mq are built to RTM_NEWQDISC's format. */
    @Test
    void fqRootAndFqUnderMqFromBuiltBytes() throws IOException {
        List<Qdisc> qdiscs = RtnetlinkQdiscs.decode(NetlinkBytes.segment(
                qdisc(2, 0x80010000, 0xFFFFFFFF, "fq"),
                qdisc(3, 0x00010000, 0xFFFFFFFF, "mq"),
                qdisc(3, 0x80020000, 0x00010001, "fq"),
                qdisc(3, 0x80030000, 0x00010002, "fq"),
                qdisc(3, 0, 0xFFFFFFF1, "ingress")), log);
        assertThat(qdiscs).extracting(Qdisc::ifindex, Qdisc::handle, Qdisc::parent, Qdisc::kind, Qdisc::isRoot)
                .containsExactly(
                        tuple(2, 0x80010000L, Qdisc.TC_H_ROOT, "fq", true),
                        tuple(3, 0x10000L, Qdisc.TC_H_ROOT, "mq", true),
                        tuple(3, 0x80020000L, 0x10001L, "fq", false),
                        tuple(3, 0x80030000L, 0x10002L, "fq", false),
                        tuple(3, 0L, 0xFFFFFFF1L, "ingress", false));
    }

    @Test
    void aLinkWithoutLinkinfoIsPhysicalUnlessLoopbackAndLowerLayerDownIsNotUp() throws IOException {
        List<NetInterface> links = RtnetlinkLinks.decode(NetlinkBytes.segment(
                link(7, 1, "eth0", 9001, 2), // ARPHRD_ETHER, IF_OPER_DOWN
                link(8, 772, "lo", 65536, 0),
                message(RtnetlinkLinks.RTM_NEWLINK, 2, 1, new byte[16], attr(4, u32(1500)))), log);
        assertThat(links).extracting(NetInterface::name, NetInterface::kind, NetInterface::mtu, NetInterface::operUp)
                .containsExactly(tuple("eth0", "physical", 9001L, false), tuple("lo", "loopback", 65536L, true));
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.firstProblem()).contains("IFLA_IFNAME");
    }

    private static int ifindex(List<NetInterface> links, String name) {
        return links.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow().ifindex();
    }

    static byte[] qdisc(int ifindex, int handle, int parent, String kind) {
        ByteBuffer tcmsg = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        tcmsg.putInt(4, ifindex).putInt(8, handle).putInt(12, parent).putInt(16, 1);
        return message(RtnetlinkQdiscs.RTM_NEWQDISC, 2, 1, tcmsg.array(), attr(1, string(kind)), attr(2, new byte[0]));
    }

    static byte[] link(int ifindex, int arphrd, String name, int mtu, int operstate) {
        ByteBuffer ifinfo = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        ifinfo.putShort(2, (short) arphrd).putInt(4, ifindex);
        return message(RtnetlinkLinks.RTM_NEWLINK, 2, 1, ifinfo.array(),
                attr(3, string(name)), attr(4, u32(mtu)), attr(16, new byte[] {(byte) operstate}));
    }
}

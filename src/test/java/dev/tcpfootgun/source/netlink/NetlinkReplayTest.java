package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.testing.NetNs;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test-only replay transport: what it records from the kernel replays to the same reading, and a missing capture fails the source. */
class NetlinkReplayTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void eachRequestKindHasItsOwnFile() {
        assertThat(NetlinkReplay.fileName(NetlinkSocket.NETLINK_SOCK_DIAG, InetDiagDecoder.TCPDIAG_GETSOCK,
                InetDiagSockets.request())).isEqualTo("sock_diag-tcpdiag_getsock-unspec.bin");
        assertThat(NetlinkReplay.fileName(NetlinkSocket.NETLINK_ROUTE, RtnetlinkQdiscs.RTM_GETQDISC, new byte[20]))
                .isEqualTo("rtnetlink-getqdisc-unspec.bin");
        assertThat(NetlinkReplay.fileName(NetlinkSocket.NETLINK_NETFILTER, 0x0102, new byte[] {2, 0, 0, 0}))
                .isEqualTo("nfnetlink-type258-inet.bin");
    }

    @Test
    void whatIsRecordedInANamespaceReplaysToTheSameReading(@TempDir Path dir) throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(dev.tcpfootgun.testing.Cmd.available("tc"), "needs tc");
        try (NetNs ns = NetNs.create("golden-replay")) {
            ns.exec("ip", "link", "add", "r0", "numtxqueues", "2", "type", "veth", "peer", "name", "r1");
            ns.exec("ip", "link", "set", "r0", "up");
            ns.exec("tc", "qdisc", "replace", "dev", "r0", "root", "handle", "1:", "mq");
            NetlinkReplay.Recording recording = new NetlinkReplay.Recording();
            ParseLog log = new ParseLog();
            List<?> live = ns.call(() -> List.of(new RtnetlinkLinks(TIMEOUT, recording).read(log),
                    new RtnetlinkQdiscs(TIMEOUT, recording).read(log), new InetDiagSockets(TIMEOUT, SocketTable.UNLIMITED, recording)
                            .read(log).all()));
            assertThat(recording.writeTo(dir)).containsExactly("rtnetlink-getlink-unspec.bin", "rtnetlink-getqdisc-unspec.bin",
                    "sock_diag-tcpdiag_getsock-unspec.bin");
            NetlinkTransport replay = NetlinkReplay.replaying(dir);
            // read on this thread, in the host namespace: only the files can answer as the namespace did
            List<NetInterface> links = new RtnetlinkLinks(TIMEOUT, replay).read(log);
            List<Qdisc> qdiscs = new RtnetlinkQdiscs(TIMEOUT, replay).read(log);
            assertThat(links).isEqualTo(live.get(0)).extracting(NetInterface::name).containsExactlyInAnyOrder("lo", "r0", "r1");
            assertThat(qdiscs).isEqualTo(live.get(1)).extracting(Qdisc::kind).contains("mq", "noqueue");
            assertThat(new InetDiagSockets(TIMEOUT, SocketTable.UNLIMITED, replay).read(log).all()).isEqualTo(live.get(2)).isEmpty();
            assertThat(log.skipped()).isZero();
        }
    }

    @Test
    void aRequestWithoutItsCaptureFailsTheSourceNamingTheFile(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("rtnetlink-getlink-unspec.bin"), new byte[0]);
        NetlinkTransport replay = NetlinkReplay.replaying(dir);
        assertThat(new RtnetlinkLinks(TIMEOUT, replay).read(new ParseLog())).isEmpty();
        assertThatThrownBy(() -> new RtnetlinkQdiscs(TIMEOUT, replay).read(new ParseLog()))
                .isInstanceOf(IOException.class).hasMessageContaining("no netlink capture rtnetlink-getqdisc-unspec.bin");
    }

    @Test
    void theGoldenCapturesDecodeWithoutASkip() throws URISyntaxException, IOException {
        NetlinkTransport replay = NetlinkReplay.replaying(Path.of(getClass().getResource("/golden/netlink").toURI()));
        ParseLog log = new ParseLog();
        assertThat(new InetDiagSockets(TIMEOUT, SocketTable.UNLIMITED, replay).read(log).all()).hasSize(9); // 7 IPv4 (README), 2 IPv6
        assertThat(new RtnetlinkLinks(TIMEOUT, replay).read(log)).extracting(NetInterface::name).containsExactly("lo", "v0", "vx0");
        assertThat(new RtnetlinkQdiscs(TIMEOUT, replay).read(log)).extracting(Qdisc::kind)
                .containsExactlyInAnyOrder("noqueue", "mq", "pfifo_fast", "pfifo_fast", "bfifo", "pfifo", "htb");
        assertThat(new CtnetlinkDump(TIMEOUT, Long.MAX_VALUE, Duration.ofSeconds(10), null, replay).read(log).entries()).isEqualTo(7);
        assertThat(new CtnetlinkStats(TIMEOUT, replay).read(log)).containsKeys("found", "invalid", "insert", "drop");
        assertThat(log.skipped()).isZero();
    }
}

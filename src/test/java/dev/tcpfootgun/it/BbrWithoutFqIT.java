package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import dev.tcpfootgun.testing.ScrapedFindings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.footgun.BbrWithoutFqCheck;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.source.ParseLog;
import dev.tcpfootgun.source.netlink.RtnetlinkLinks;
import dev.tcpfootgun.source.netlink.RtnetlinkQdiscs;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.junit.jupiter.api.Test;

/**
 * Seed section 10 for real: two namespaces joined by a veth pair (198.18.10.0/24, the benchmarking
 * range, nothing leaves them). With tcp_congestion_control=bbr and pfifo_fast at the veth's root,
 * the exporter in the first namespace flags bbr_without_fq naming the veth; with a CUBIC connection
 * over the same pfifo_fast (and reno as the default) it does not. This kernel has no fq, so the fq cases are judged on rtnetlink bytes
 * in BbrQdiscBytesTest, and on this kernel's own qdisc dump of an mq device with its per-queue kinds
 * renamed fq (what the dump would say with sch_fq built in).
 */
class BbrWithoutFqIT {

    static final int EXPORTER_PORT = 10071;
    static final String FOOTGUN = "bbr_without_fq";
    static final String LOCAL = "198.18.10.1";
    static final String PEER = "198.18.10.2";
    static final int PEER_PORT = 5001;

    @Test
    void bbrOverPfifoFastIsFlaggedNamingTheVethAndCubicIsNot() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("tc"), "needs tc (iproute2)");
        try (NetNs ns = NetNs.create("fg-bbr"); NetNs peer = NetNs.create("fg-bbrp")) {
            veth(ns, "bq0", LOCAL, peer, "bq1", PEER, 1);
            ns.exec("tc", "qdisc", "replace", "dev", "bq0", "root", "pfifo_fast");
            ns.sysctl("net.ipv4.tcp_congestion_control", "bbr");
            ServerSocket server = peer.call(() -> new ServerSocket(PEER_PORT, 16, InetAddress.getByName(PEER)));
            TestServer held = TestServer.draining(server);
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                Socket bbr = ns.call(() -> new Socket(PEER, PEER_PORT));
                assertThat(ns.exec("ss", "-tin", "dst", PEER)).contains("bbr");
                ScrapedFindings flagged = ScrapedFindings.get(ns, EXPORTER_PORT);
                assertThat(flagged.status(FOOTGUN)).isEqualTo("advice");
                assertThat(flagged.risk(FOOTGUN)).isEqualTo(0.3);
                assertThat(flagged.line(FOOTGUN))
                        .contains("net.ipv4.tcp_congestion_control=bbr; 1 connection uses BBR")
                        .contains("BBR sends without fq through bq0 (root pfifo_fast)")
                        .contains("paces TCP internally (since 4.13)")
                        .contains("tc qdisc replace dev bq0 root fq");
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, EXPORTER_PORT));
                assertThat(m.get("footgun_risk_ratio", "footgun", FOOTGUN)).hasValue(0.3);
                assertThat(m.get("footgun_finding_status", "footgun", FOOTGUN, "footgun_finding_status", "advice")).hasValue(1);
                assertThat(m.get("footgun_network_info", "device", "bq0", "kind", "veth", "root_qdisc", "pfifo_fast", "child_qdiscs", "", "operstate", "up"))
                        .hasValue(1);

                ns.call(() -> {
                    bbr.setSoLinger(true, 0); // reset: no FIN_WAIT socket keeps BBR around
                    bbr.close();
                    return null;
                });
                // A child namespace may only default to the host's tcp_allowed_congestion_control ("reno bbr"
                // here), so the default becomes reno and the route to the peer carries cubic: the connection
                // is CUBIC over pfifo_fast, as the seed has it.
                ns.sysctl("net.ipv4.tcp_congestion_control", "reno");
                ns.exec("ip", "route", "replace", "198.18.10.0/24", "dev", "bq0", "congctl", "cubic");
                Socket cubic = ns.call(() -> new Socket(PEER, PEER_PORT));
                try {
                    assertThat(ns.exec("ss", "-tin", "dst", PEER)).contains("cubic").doesNotContain("bbr");
                    ScrapedFindings fine = ScrapedFindings.get(ns, EXPORTER_PORT);
                    assertThat(fine.status(FOOTGUN)).isEqualTo("ok");
                    assertThat(fine.risk(FOOTGUN)).isZero();
                    assertThat(fine.line(FOOTGUN)).contains("net.ipv4.tcp_congestion_control=reno")
                            .contains("no connection uses BBR");
                    PortExhaustionIT.checkWithPromtool(m.text());
                } finally {
                    ns.call(() -> {
                        cubic.close();
                        return null;
                    });
                }
            } finally {
                peer.call(() -> {
                    held.close();
                    return null;
                });
            }
        }
    }

    /** A veth pair with {@code queues} TX queues, up, one end in each namespace, a /24 address on each. */
    static void veth(NetNs ns, String dev, String ip, NetNs peer, String peerDev, String peerIp, int queues) throws Exception {
        ns.exec("ip", "link", "add", dev, "numtxqueues", Integer.toString(queues), "type", "veth", "peer", "name", peerDev,
                "netns", peer.name());
        ns.exec("ip", "addr", "add", ip + "/24", "dev", dev);
        peer.exec("ip", "addr", "add", peerIp + "/24", "dev", peerDev);
        ns.exec("ip", "link", "set", dev, "up");
        peer.exec("ip", "link", "set", peerDev, "up");
    }

    /**
     * A veth with 4 TX queues under mq, its queues holding pfifo_fast, pfifo_fast, bfifo and htb (with a
     * pfifo under htb's class): the page names the per-queue kinds and footgun_network_info lists the
     * same ones, not the pfifo below htb. Then the same device with a fresh mq, its dump read here and
     * its per-queue kinds renamed fq: the check says on fq and the series lists fq.
     */
    @Test
    void mqWithMixedChildrenIsUnpacedAndItsSeriesListsWhatTheCheckJudged() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("tc"), "needs tc (iproute2)");
        try (NetNs ns = NetNs.create("topo-mq"); NetNs peer = NetNs.create("topo-mqp")) {
            veth(ns, "mq0", "198.18.11.1", peer, "mq1", "198.18.11.2", 4);
            ns.exec("tc", "qdisc", "replace", "dev", "mq0", "root", "handle", "1:", "mq");
            ns.exec("tc", "qdisc", "replace", "dev", "mq0", "parent", "1:3", "handle", "30:", "bfifo");
            ns.exec("tc", "qdisc", "replace", "dev", "mq0", "parent", "1:4", "handle", "40:", "htb", "default", "1");
            ns.exec("tc", "class", "add", "dev", "mq0", "parent", "40:", "classid", "40:1", "htb", "rate", "1gbit");
            ns.exec("tc", "qdisc", "add", "dev", "mq0", "parent", "40:1", "handle", "41:", "pfifo");
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "mq0")).contains("qdisc pfifo 41: parent 40:1");
            ns.sysctl("net.ipv4.tcp_congestion_control", "bbr");
            ServerSocket server = peer.call(() -> new ServerSocket(PEER_PORT, 16, InetAddress.getByName("198.18.11.2")));
            TestServer held = TestServer.draining(server);
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                Socket bbr = ns.call(() -> new Socket("198.18.11.2", PEER_PORT));
                ScrapedFindings flagged = ScrapedFindings.get(ns, EXPORTER_PORT);
                assertThat(flagged.status(FOOTGUN)).isEqualTo("advice");
                assertThat(flagged.line(FOOTGUN))
                        .contains("BBR sends without fq through mq0 (root mq with children 1 bfifo, 1 htb, 2 pfifo_fast)")
                        .contains("tc qdisc del dev mq0 root");
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, EXPORTER_PORT));
                assertThat(m.get("footgun_network_info", "device", "mq0", "kind", "veth", "root_qdisc", "mq",
                        "child_qdiscs", "bfifo,htb,pfifo_fast", "operstate", "up")).hasValue(1);
                ns.call(() -> {
                    bbr.setSoLinger(true, 0);
                    bbr.close();
                    return null;
                });
            } finally {
                peer.call(() -> {
                    held.close();
                    return null;
                });
            }

            ns.exec("tc", "qdisc", "del", "dev", "mq0", "root");
            ns.exec("tc", "qdisc", "replace", "dev", "mq0", "root", "handle", "2:", "mq");
            List<Qdisc> real = ns.call(() -> new RtnetlinkQdiscs(Duration.ofSeconds(5)).read(new ParseLog()));
            List<NetInterface> links = ns.call(() -> new RtnetlinkLinks(Duration.ofSeconds(5)).read(new ParseLog()));
            NetInterface mq0 = links.stream().filter(l -> l.name().equals("mq0")).findFirst().orElseThrow();
            List<Qdisc> children = real.stream().filter(q -> q.ifindex() == mq0.ifindex() && !q.isRoot()).toList();
            assertThat(children).hasSize(4).allMatch(q -> q.kind().equals("pfifo_fast") && q.parent() >>> 16 == 2);
            List<Qdisc> withFq = real.stream()
                    .map(q -> q.ifindex() == mq0.ifindex() && !q.isRoot() ? new Qdisc(q.ifindex(), q.handle(), q.parent(), "fq") : q)
                    .toList();
            NodeSnapshot snap = NodeSnapshot.of(0, List.of(Reading.ok("sockets", SocketTable.empty(), 0, 0),
                    Reading.ok("sysctl", new Sysctls(Map.of("net.ipv4.tcp_congestion_control", "bbr", "kernel.osrelease", "6.18.0")), 0, 0),
                    Reading.ok("interfaces", links, 0, 0), Reading.ok("qdisc", withFq, 0, 0)));
            Observation o = new Observation(snap, null);
            Finding paced = new BbrWithoutFqCheck().judge(o);
            assertThat(paced.status()).isEqualTo(Status.OK);
            assertThat(paced.evidence()).contains("on fq: mq0");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, new MetricsRenderer("test", 10, 20, DestinationLabels.of(DestinationLabelMode.PLAIN),
                    Pattern.compile("^$")).render(new Assessment(o, List.of(paced), Map.of(), List.of(), 1)));
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("footgun_network_info{child_qdiscs=\"fq\",device=\"mq0\",kind=\"veth\",operstate=\"up\",root_qdisc=\"mq\"} 1");
        }
    }
}

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
import org.junit.jupiter.api.Test;

/**
 * Seed section 10 for real: two namespaces joined by a veth pair (198.18.10.0/24, the benchmarking
 * range, nothing leaves them). With tcp_congestion_control=bbr and pfifo_fast at the veth's root,
 * the exporter in the first namespace flags bbr_without_fq naming the veth; with a CUBIC connection
 * over the same pfifo_fast (and reno as the default) it does not. This kernel has no fq, so the fq cases are judged on rtnetlink bytes
 * in BbrQdiscBytesTest.
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
            ns.exec("ip", "link", "add", "bq0", "type", "veth", "peer", "name", "bq1", "netns", peer.name());
            ns.exec("ip", "addr", "add", LOCAL + "/24", "dev", "bq0");
            peer.exec("ip", "addr", "add", PEER + "/24", "dev", "bq1");
            ns.exec("ip", "link", "set", "bq0", "up");
            peer.exec("ip", "link", "set", "bq1", "up");
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
}

package dev.tcpfootgun.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stock cloud node pages nobody. A namespace made like one: Linux's default sysctls (keepalive
 * 7200/75/9, tcp_mtu_probing=0), BBR as congestion control over pfifo_fast, a veth at MTU 1460 (a
 * GKE node's) to a peer, and a few healthy connections over it. The shipped rules (only every
 * {@code for:} cut to 0s, so a single bad evaluation would show) and the example Alertmanager run
 * for at least 10 one-second evaluation cycles: no warning or critical alert is ever pending or
 * firing, the webhook receives nothing, and the three settings are there as info alerts (advice).
 * The veth is left out of the interface series by default while the checks still judge it.
 */
class QuietNodeAlertsIT {

    static final String NODE = "198.18.40.1";
    static final String PEER = "198.18.40.2";
    static final int PEER_PORT = 5001;
    static final int CYCLES = 12;

    @TempDir
    Path tmp;

    @Test
    void aStockCloudNodeHasAdviceAsInfoAlertsAndNoWarningAndPagesNobody() throws Exception {
        AlertStack.assumeAvailable();
        String veth = "veth" + ProcessHandle.current().pid() % 100000;
        try (NetNs ns = NetNs.create("fg-quiet"); NetNs peer = NetNs.create("fg-quietp")) {
            ns.exec("ip", "link", "add", veth, "mtu", "1460", "type", "veth", "peer", "name", "fgqp0", "mtu", "1460",
                    "netns", peer.name());
            ns.exec("ip", "addr", "add", NODE + "/24", "dev", veth);
            peer.exec("ip", "addr", "add", PEER + "/24", "dev", "fgqp0");
            ns.exec("ip", "link", "set", veth, "up");
            peer.exec("ip", "link", "set", "fgqp0", "up");
            ns.exec("tc", "qdisc", "replace", "dev", veth, "root", "pfifo_fast");
            ns.sysctl("net.ipv4.tcp_congestion_control", "bbr");
            assertThat(ns.exec("sysctl", "-n", "net.ipv4.tcp_mtu_probing").strip()).isEqualTo("0");
            assertThat(ns.exec("sysctl", "-n", "net.ipv4.tcp_keepalive_time").strip()).isEqualTo("7200");

            TestServer server = TestServer.draining(peer.call(() -> new ServerSocket(PEER_PORT, 16, InetAddress.getByName(PEER))));
            List<Socket> healthy = new ArrayList<>();
            try (AlertStack stack = AlertStack.start(ns, tmp)) {
                for (int i = 0; i < 3; i++) {
                    healthy.add(ns.call(() -> {
                        Socket s = new Socket(PEER, PEER_PORT);
                        OutputStream out = s.getOutputStream();
                        out.write(new byte[4096]);
                        out.flush();
                        return s;
                    }));
                }
                stack.await(Duration.ofSeconds(30), "the exporter scraped", () ->
                        stack.vector("footgun_risk_ratio").isEmpty() ? null : Boolean.TRUE);
                // the window starts once rules have seen a scrape: before it, absent() is rightly pending
                Thread.sleep(2_000);
                long windowStart = System.nanoTime();

                TreeSet<String> bad = new TreeSet<>();
                TreeSet<String> info = new TreeSet<>();
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    for (Map<String, Object> a : stack.prometheusAlerts()) {
                        Map<String, Object> labels = AlertRulesTest.map(a.get("labels"));
                        String name = labels.get("alertname") + "{" + labels.get("severity") + "," + a.get("state") + "}";
                        if ("info".equals(labels.get("severity"))) {
                            info.add((String) labels.get("alertname"));
                        } else {
                            bad.add(name);
                        }
                    }
                    Thread.sleep(1_000);
                }
                // and Prometheus's own record of every evaluation in the window
                long window = Duration.ofNanos(System.nanoTime() - windowStart).toSeconds();
                assertThat(window).isGreaterThanOrEqualTo(CYCLES);
                List<Map<String, Object>> alerts = stack.vector("max_over_time(ALERTS{severity=~\"warning|critical\"}["
                        + window + "s])");
                alerts.forEach(a -> bad.add(String.valueOf(a.get("metric"))));
                System.out.println("[QuietNodeAlertsIT] info alerts: " + info);
                assertThat(bad).as("warning or critical alerts on a stock node").isEmpty();
                assertThat(info).contains("FootgunKeepaliveTooLong", "FootgunBbrWithoutFq", "FootgunPmtuBlackhole");
                assertThat(stack.deliveries()).as("webhook notifications (pager, warnings)").isEmpty();

                // the veth is judged (the PMTU advice names it) but has no interface series
                String findings = stack.http("GET", "http://" + AlertStack.INSTANCE + "/findings.json", null);
                assertThat(findings).contains(veth + " (veth, MTU 1460)").contains("BBR sends without fq through " + veth);
                assertThat(stack.vector("footgun_network_mtu_bytes{device=\"" + veth + "\"}")).isEmpty();
                assertThat(stack.vector("footgun_network_mtu_bytes{device=\"lo\"}")).isNotEmpty();
            } finally {
                for (Socket s : healthy) {
                    ns.call(() -> {
                        s.close();
                        return null;
                    });
                }
                peer.call(() -> {
                    server.close();
                    return null;
                });
            }
        }
    }
}

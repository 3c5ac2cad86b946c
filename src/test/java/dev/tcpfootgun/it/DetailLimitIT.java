package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * --collector.sockets.detail-limit bounds a read's memory on nodes with many connections: past the
 * limit a connection is counted without its tcp_info. Real connections in a namespace: every one must
 * still count (states, ephemeral ports per destination), only the tcp_info metrics see fewer, and
 * the exporter says so once in its log and in footgun_tcp_sockets_undetailed.
 */
class DetailLimitIT {

    static final int CONNECTIONS = 200;
    static final int LIMIT = 50;
    static final int EXPORTER_PORT = 9987;

    @Test
    void connectionsPastTheLimitAreCountedButNotDetailed() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-detail")) {
            ns.sysctl("net.ipv4.ip_local_port_range", "40000 40999");
            TestServer listener = ns.call(() -> TestServer.draining(8080));
            List<Socket> clients = new ArrayList<>();
            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT,
                    "--collector.sockets.detail-limit=" + LIMIT, "--collector.sockets.source=netlink")) {
                ns.call(() -> {
                    for (int i = 0; i < CONNECTIONS; i++) {
                        clients.add(new Socket(InetAddress.getLoopbackAddress(), listener.port()));
                    }
                    return null;
                });
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, EXPORTER_PORT));

                // every connection is counted: both ends of the 200, plus the scrape's own connection (Java's
                // sockets are dual-stack: family ipv6 with v4-mapped addresses)
                double established = m.get("footgun_tcp_sockets", "family", "ipv4", "state", "established").orElse(0)
                        + m.get("footgun_tcp_sockets", "family", "ipv6", "state", "established").orElse(0);
                assertThat(established).isGreaterThanOrEqualTo(2 * CONNECTIONS);
                double connections = 0;
                for (Map.Entry<String, Double> e : m.samples().entrySet()) {
                    String k = e.getKey();
                    if (k.startsWith("footgun_tcp_sockets{") && !k.contains("state=\"listen\"") && !k.contains("state=\"time_wait\"")) {
                        connections += e.getValue();
                    }
                }
                assertThat(m.get("footgun_tcp_sockets_undetailed")).hasValue(connections - LIMIT);
                // the port use towards the listener counts every client, detailed or not
                assertThat(m.get("footgun_ephemeral_ports_in_use", "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1",
                        "dst_port", Integer.toString(listener.port()))).hasValue(CONNECTIONS);
                // tcp_info was read for at most LIMIT of them
                double withInfo = m.samples().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("footgun_destination_sockets{")).mapToDouble(Map.Entry::getValue).sum();
                assertThat(withInfo).isPositive().isLessThanOrEqualTo(LIMIT);
                assertThat(m.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);

                PortExhaustionIT.scrape(ns, EXPORTER_PORT);
                assertThat(exporter.log().stream().filter(l -> l.contains("past --collector.sockets.detail-limit")))
                        .as(String.join("\n", exporter.log())).hasSize(1);
            } finally {
                ns.call(() -> {
                    for (Socket s : clients) {
                        s.close();
                    }
                    listener.close();
                    return null;
                });
            }
        }
    }
}

package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Seed section 1 for real: in a fresh namespace with 100 ephemeral ports, N client-closed
 * connections to one listener leave N TIME_WAIT sockets; the exporter must count exactly N, put the
 * risk at 0.9 for 90 of 100 ports, and the connect() after the range is used up must really fail
 * with EADDRNOTAVAIL.
 */
class PortExhaustionIT {

    static final int RANGE_LOW = 40000;
    static final int RANGE_HIGH = 40099;
    static final int EXPORTER_PORT = 9999;
    static final int CLOSED = 90;

    @Test
    void gaugePredictsTheRealConnectFailure() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-ports")) {
            ns.sysctl("net.ipv4.ip_local_port_range", RANGE_LOW + " " + RANGE_HIGH);
            // tcp_tw_reuse=2 (the default) would let connect() take over loopback TIME_WAIT ports older
            // than 1 s; 0 makes the failure deterministic, which is what the gauge must predict.
            ns.sysctl("net.ipv4.tcp_tw_reuse", "0");
            TestServer listener = ns.call(() -> TestServer.draining(8080));
            try (ExporterProcess exporter = ExporterProcess.start(ns,
                    "--web.listen-address=127.0.0.1:" + EXPORTER_PORT, "--destinations.top=5")) {
                ns.call(() -> {
                    for (int i = 0; i < CLOSED; i++) {
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
                            s.getOutputStream().write('x');
                        }
                    }
                    return null;
                });
                listener.awaitFinished(CLOSED);
                ns.awaitTimeWait(8080, CLOSED);

                MetricsText m = MetricsText.parse(scrape(ns));
                String port = Integer.toString(listener.port());
                assertThat(m.get("footgun_tcp_time_wait_sockets", "direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", port))
                        .hasValue(CLOSED);
                assertThat(m.get("footgun_ephemeral_ports_in_use", "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1", "dst_port", port))
                        .hasValue(CLOSED);
                assertThat(m.get("footgun_ephemeral_ports_usable")).hasValue(100);
                assertThat(m.get("footgun_ephemeral_port_headroom_connections_per_second",
                        "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1", "dst_port", port)).hasValue(10 / 60.0);
                assertThat(m.get("footgun_risk_ratio", "footgun", "ephemeral_port_exhaustion").orElseThrow())
                        .isGreaterThanOrEqualTo(0.9);
                assertThat(m.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);

                // the remaining 10 ports: kept open, so the range is fully used
                List<Socket> open = ns.call(() -> {
                    List<Socket> list = new ArrayList<>();
                    for (int i = CLOSED; i < 100; i++) {
                        list.add(new Socket(InetAddress.getLoopbackAddress(), listener.port()));
                    }
                    return list;
                });
                assertThatThrownBy(() -> ns.call(() -> new Socket(InetAddress.getLoopbackAddress(), listener.port())))
                        .isInstanceOf(BindException.class)
                        .hasMessageContaining("assign requested address");
                MetricsText full = MetricsText.parse(scrape(ns));
                assertThat(full.get("footgun_risk_ratio", "footgun", "ephemeral_port_exhaustion")).hasValue(1);
                assertThat(full.get("footgun_finding_status", "footgun", "ephemeral_port_exhaustion", "footgun_finding_status", "critical")).hasValue(1);
                ns.call(() -> {
                    for (Socket s : open) {
                        s.close();
                    }
                    return null;
                });
                checkWithPromtool(m.text());
            } finally {
                ns.call(() -> {
                    listener.close();
                    return null;
                });
            }
        }
    }

    @Test
    void destinationLabelsCanBeHashedOrDropped() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-labels")) {
            TestServer listener = ns.call(() -> TestServer.draining(8080));
            try (ExporterProcess hashed = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:9981", "--destinations.labels=hash");
                    ExporterProcess dropped = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:9982", "--destinations.labels=drop")) {
                ns.call(() -> {
                    for (int i = 0; i < 5; i++) {
                        new Socket(InetAddress.getLoopbackAddress(), 8080).close();
                    }
                    return null;
                });
                listener.awaitFinished(5);
                int tw = ns.settledTimeWait(8080);
                assertThat(tw).isPositive();
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest("127.0.0.1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String hash = "h:" + java.util.HexFormat.of().formatHex(digest).substring(0, 12);

                MetricsText h = MetricsText.parse(scrape(ns, 9981));
                assertThat(h.get("footgun_tcp_time_wait_sockets", "direction", "outbound", "dst_ip", hash, "dst_port", "8080")).hasValue(tw);
                assertThat(h.text()).doesNotContain("\"127.0.0.1\"");

                MetricsText d = MetricsText.parse(scrape(ns, 9982));
                // every TIME_WAIT socket (the 5, and the one the scrape of 9981 left) sums into "other"
                double allTimeWait = d.get("footgun_tcp_sockets", "family", "ipv4", "state", "time_wait").orElseThrow()
                        + d.get("footgun_tcp_sockets", "family", "ipv6", "state", "time_wait").orElseThrow();
                assertThat(allTimeWait).isGreaterThanOrEqualTo(tw);
                assertThat(d.get("footgun_tcp_time_wait_sockets", "direction", "other", "dst_ip", "other", "dst_port", "other")).hasValue(allTimeWait);
                assertThat(d.text()).doesNotContain("127.0.0.1").doesNotContain(hash);
                assertThat(d.has("footgun_risk_ratio{footgun=\"ephemeral_port_exhaustion\"}")).isTrue();
            } finally {
                ns.call(() -> {
                    listener.close();
                    return null;
                });
            }
        }
    }

    static String scrape(NetNs ns) throws Exception {
        return scrape(ns, EXPORTER_PORT);
    }

    /** GET /metrics from inside the namespace, where the exporter listens on loopback. */
    static String scrape(NetNs ns, int port) throws Exception {
        return ns.call(() -> {
            var r = ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null);
            assertThat(r.status()).isEqualTo(200);
            return r.body();
        });
    }

    /** promtool check metrics must print nothing on a real scrape. */
    static void checkWithPromtool(String exposition) throws Exception {
        if (!Cmd.available("promtool")) {
            System.err.println("promtool not installed: metrics lint skipped");
            return;
        }
        Path f = Files.createTempFile("scrape", ".prom");
        Files.writeString(f, exposition);
        Process p = new ProcessBuilder("sh", "-c", "promtool check metrics < " + f).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        Files.delete(f);
        assertThat(out).isEmpty();
        assertThat(p.exitValue()).isZero();
    }
}

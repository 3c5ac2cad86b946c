package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * When netlink is refused (here by a seccomp filter failing socket(AF_NETLINK) with EPERM, as
 * locked-down container runtimes do), auto mode falls back to /proc/net/tcp{,6} and serves the same
 * per-destination counts as netlink does for the same sockets.
 */
class NetlinkRefusedIT {

    static final int NETLINK_PORT = 9997;
    static final int REFUSED_PORT = 9996;

    @Test
    void procFallbackServesTheSamePerDestinationCounts() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("gcc"), "needs gcc to build the seccomp launcher");
        Path launcher = Path.of("target", "no-netlink");
        Cmd.run("gcc", "-O2", "-o", launcher.toString(), Path.of("src", "test", "c", "no-netlink.c").toString());
        try (NetNs ns = NetNs.create("fg-nl")) {
            TestServer a = ns.call(() -> TestServer.draining(8080));
            TestServer b = ns.call(() -> TestServer.draining(8081));
            try (ExporterProcess viaNetlink = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + NETLINK_PORT);
                    ExporterProcess refused = ExporterProcess.start(ns, List.of(launcher.toAbsolutePath().toString()),
                            "--web.listen-address=127.0.0.1:" + REFUSED_PORT)) {
                List<Socket> open = ns.call(() -> {
                    // a byte before each close: a connection closed before any data may skip TIME_WAIT
                    for (int i = 0; i < 30; i++) {
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), 8080)) {
                            s.getOutputStream().write(1);
                        }
                    }
                    for (int i = 0; i < 12; i++) {
                        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), 8081)) {
                            s.getOutputStream().write(1);
                        }
                    }
                    List<Socket> list = new ArrayList<>();
                    for (int i = 0; i < 7; i++) {
                        list.add(new Socket(InetAddress.getLoopbackAddress(), 8081));
                    }
                    return list;
                });
                a.awaitFinished(30);
                b.awaitFinished(12);
                ns.awaitTimeWait(8080, 30);
                ns.awaitTimeWait(8081, 12);
                MetricsText n = MetricsText.parse(PortExhaustionIT.scrape(ns, NETLINK_PORT));
                MetricsText p = MetricsText.parse(PortExhaustionIT.scrape(ns, REFUSED_PORT));
                assertThat(n.get("footgun_socket_source_info", "source", "netlink")).hasValue(1);
                assertThat(p.get("footgun_socket_source_info", "source", "procfs")).hasValue(1);
                assertThat(p.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);
                assertThat(p.get("footgun_scrape_collector_success", "collector", "qdisc")).hasValue(0);
                assertThat(p.get("footgun_scrape_collector_success", "collector", "interfaces")).hasValue(1);
                assertThat(refused.log()).anySatisfy(l -> assertThat(l).contains("sockets(procfs)"));

                Map<String, Double> tw = series(p, "footgun_tcp_time_wait_sockets{");
                assertThat(tw).isEqualTo(series(n, "footgun_tcp_time_wait_sockets{"));
                assertThat(p.get("footgun_tcp_time_wait_sockets", "direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", "8080")).hasValue(30);
                assertThat(p.get("footgun_tcp_time_wait_sockets", "direction", "outbound", "dst_ip", "127.0.0.1", "dst_port", "8081")).hasValue(12);
                assertThat(p.get("footgun_ephemeral_ports_in_use", "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1", "dst_port", "8081"))
                        .hasValue(19);
                assertThat(p.get("footgun_ephemeral_ports_in_use", "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1", "dst_port", "8081"))
                        .isEqualTo(n.get("footgun_ephemeral_ports_in_use", "src_ip", "127.0.0.1", "dst_ip", "127.0.0.1", "dst_port", "8081"));
                assertThat(p.get("footgun_tcp_sockets", "family", "ipv4", "state", "time_wait"))
                        .isEqualTo(n.get("footgun_tcp_sockets", "family", "ipv4", "state", "time_wait"));
                ns.call(() -> {
                    for (Socket s : open) {
                        s.close();
                    }
                    return null;
                });
            } finally {
                ns.call(() -> {
                    a.close();
                    b.close();
                    return null;
                });
                Files.deleteIfExists(launcher);
            }
        }
    }

    /** The series of one family whose destination is one of the test's listeners. */
    private static Map<String, Double> series(MetricsText m, String prefix) {
        Map<String, Double> out = new TreeMap<>();
        m.samples().forEach((k, v) -> {
            if (k.startsWith(prefix) && (k.contains("\"8080\"") || k.contains("\"8081\""))) {
                out.put(k, v);
            }
        });
        return out;
    }
}

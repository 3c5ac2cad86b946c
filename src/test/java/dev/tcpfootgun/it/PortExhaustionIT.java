package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
            Listener listener = ns.call(Listener::open);
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
                listener.awaitEof(CLOSED);

                MetricsText m = MetricsText.parse(scrape(ns));
                String port = Integer.toString(listener.port());
                assertThat(m.get("footgun_tcp_time_wait_sockets", "dst_ip", "127.0.0.1", "dst_port", port))
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
                assertThat(full.get("footgun_finding_info", "footgun", "ephemeral_port_exhaustion", "status", "critical")).hasValue(1);
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

    /** A server that reads every accepted connection to EOF, so no unread data makes the kernel reset it. */
    static final class Listener implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicInteger eofs = new AtomicInteger();
        private final CountDownLatch done = new CountDownLatch(1);
        private final List<Socket> accepted = new ArrayList<>();

        private Listener(ServerSocket server) {
            this.server = server;
        }

        static Listener open() throws IOException {
            return open(8080);
        }

        static Listener open(int port) throws IOException {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
            Listener l = new Listener(s);
            Thread t = new Thread(l::serve, "listener");
            t.setDaemon(true);
            t.start();
            return l;
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            try {
                while (true) {
                    Socket c = server.accept();
                    synchronized (accepted) {
                        accepted.add(c);
                    }
                    Thread.ofVirtual().start(() -> {
                        try (c; InputStream in = c.getInputStream()) {
                            byte[] buffer = new byte[64 * 1024];
                            while (in.read(buffer) >= 0) {
                                // drain to EOF
                            }
                            eofs.incrementAndGet();
                        } catch (IOException e) {
                            // closed by the test
                        }
                    });
                }
            } catch (IOException e) {
                done.countDown();
            }
        }

        void awaitEof(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (eofs.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(eofs.get()).as("server side saw EOF on every connection").isEqualTo(n);
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}

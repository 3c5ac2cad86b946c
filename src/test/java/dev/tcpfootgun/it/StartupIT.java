package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.MetricsText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve opens its port first and reads the node after: a scrape made the moment the port accepts a
 * connection is answered in full. Over a net/tcp of {@value #SOCKETS} sockets the start-up read
 * takes long enough that such a scrape usually arrives while it is still in flight and shares it
 * (one read for both, footgun_scrape_reads_total 1); it may also come just after it (2). Which one
 * happened depends on timing, so both are accepted, and the test says which it saw.
 */
class StartupIT {

    static final int SOCKETS = 60_000;

    @Test
    void aScrapeTheMomentThePortOpensIsAnswered(@TempDir Path dir) throws Exception {
        FakeKernel kernel = FakeKernel.create(dir);
        Files.writeString(kernel.proc().resolve("net/tcp"), established(SOCKETS));
        Files.writeString(kernel.proc().resolve("net/tcp6"), "  sl  local_address remote_address st\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        try (ExporterProcess exporter = ExporterProcess.launch(null, List.of(), kernel.flags(port))) {
            boolean loggedBeforePortOpened = awaitPort(exporter, port);
            var first = ExporterProcess.get(url + "/metrics", null);
            assertThat(first.status()).isEqualTo(200);
            MetricsText m = MetricsText.parse(first.body());
            assertThat(m.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);
            assertThat(m.get("footgun_tcp_sockets", "family", "ipv4", "state", "established")).hasValue(SOCKETS);
            double reads = m.get("footgun_scrape_reads_total").orElseThrow();
            System.out.printf(Locale.ROOT, "StartupIT: first scrape saw %.0f read(s)%s; start-up log line %s when the port opened%n",
                    reads, reads == 1 ? " (it shared the start-up read)" : "",
                    loggedBeforePortOpened ? "already written" : "not yet written");
            // the start-up read and this scrape: one read when shared, two when the scrape came after it
            assertThat(reads).isBetween(1.0, 2.0);
            exporter.awaitStarted();
            assertThat(exporter.log()).anySatisfy(l -> assertThat(l).contains("listening on 127.0.0.1:" + port)
                    .contains("sources: sockets(procfs)"));
            double next = MetricsText.parse(ExporterProcess.get(url + "/metrics", null).body())
                    .get("footgun_scrape_reads_total").orElseThrow();
            assertThat(next).isEqualTo(reads + 1);
        }
    }

    /** Polls until the port accepts a connection; whether the start-up line was logged by then. */
    static boolean awaitPort(ExporterProcess exporter, int port) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            boolean logged = exporter.hasStarted();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return logged;
            } catch (IOException e) {
                if (!exporter.isAlive()) {
                    throw new IOException("exporter exited; log: " + exporter.log());
                }
                Thread.sleep(5);
            }
        }
        throw new IOException("port " + port + " not open within 30 s; log: " + exporter.log());
    }

    /** /proc/net/tcp with {@code n} established IPv4 sockets from 10.0.0.1 to 100 destinations on port 443. */
    static String established(int n) {
        StringBuilder b = new StringBuilder(160 * (n + 1));
        b.append("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        for (int i = 0; i < n; i++) {
            b.append(String.format(Locale.ROOT,
                    "%4d: 0100000A:%04X %02X00000A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 %d 1 0000000000000000 20 4 30 10 -1%n",
                    i, 32_768 + i / 100, 2 + i % 100, 100_000 + i));
        }
        return b.toString();
    }
}

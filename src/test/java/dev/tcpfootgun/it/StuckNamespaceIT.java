package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.netns.NamespaceThread;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.ProcfsTree;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Reads that block forever under --collector.netns, as the DaemonSet runs it (uid 65534, no
 * capability): a process whose /proc/PID/cgroup blocks and one whose /proc/PID/ns/net blocks (FIFOs
 * nobody writes, in a ProcfsTree folder standing for the process). /metrics answers within the
 * deadline plus a margin with those namespaces failed and the others read, /-/healthy at once while
 * a read is stuck, later scrapes skip what is still stuck; a scrape bringing
 * X-Prometheus-Scrape-Timeout-Seconds: 2 answers within 2 s (plus a margin) with the stuck source failed.
 */
class StuckNamespaceIT {

    private static final int PORT = 10071;
    /** Under the 5 s a setns attempt may wait for ns/net, so the blocking ns/net overruns the first scrape. */
    private static final long TIMEOUT_MS = 4000;
    /** Room for judging, rendering and a loaded 2-core machine; a hung read would take forever, not this. */
    private static final long MARGIN_MS = 2500;
    private static final List<String> UNPRIVILEGED = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all");

    @Test
    void stuckNamespacesFailAloneWithinTheDeadlineAndHealthAnswersMeanwhile() throws Exception {
        NetnsIT.assumeNodeLayout();
        try (NetNs node = NetNs.create("pods-stk"); NetNs good = NetNs.create("pods-ok")) {
            Process pn = node.start("sleep", "600");
            Process pg = good.start("sleep", "600");
            try (ProcfsTree tree = ProcfsTree.create(pn.pid())) {
                NetnsIT.awaitNamespaceOf(pn, node);
                NetnsIT.awaitNamespaceOf(pg, good);
                tree.add(pg.pid());
                String idGood = ProcfsTree.identity(Path.of("/proc/" + pg.pid()));
                try (ExporterProcess exporter = ExporterProcess.start(node, UNPRIVILEGED, "--web.listen-address=127.0.0.1:" + PORT,
                        "--path.procfs=" + tree.root(), "--collector.netns", "--scrape.timeout=" + TIMEOUT_MS + "ms")) {
                    // after the start-up read, two processes appear whose files block
                    String idCgroup = stuck(tree, 4_100_001, "cgroup");
                    String idNsFile = stuck(tree, 4_100_002, "ns/net");

                    // from a second thread in the node's namespace: NetNs.call has one, health needs it meanwhile
                    NamespaceThread side = NamespaceThread.enter(Path.of("/run/netns", node.name()), "side");
                    CompletableFuture<Timed> first = CompletableFuture.supplyAsync(() -> {
                        try {
                            return side.call(() -> scrape(node, "/metrics", null, false), Duration.ofSeconds(60));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        } finally {
                            side.close();
                        }
                    });
                    Thread.sleep(1000);
                    Timed health = scrape(node, "/-/healthy", null);
                    assertThat(first).isNotDone(); // the scrape is still waiting on the stuck reads
                    assertThat(health.status()).isEqualTo(200);
                    assertThat(health.millis()).isLessThan(MARGIN_MS);
                    Timed m1 = first.get(60, TimeUnit.SECONDS);
                    assertThat(m1.status()).isEqualTo(200);
                    assertThat(m1.millis()).isLessThan(TIMEOUT_MS + MARGIN_MS);
                    MetricsText m = MetricsText.parse(m1.body());
                    assertThat(success(m, idGood)).hasValue(1);
                    assertThat(success(m, idCgroup)).hasValue(0);
                    assertThat(success(m, idNsFile)).hasValue(0);

                    // still stuck: skipped at once, not waited for again
                    Timed m2 = scrape(node, "/metrics", null);
                    assertThat(m2.status()).isEqualTo(200);
                    assertThat(m2.millis()).isLessThan(TIMEOUT_MS);
                    assertThat(success(MetricsText.parse(m2.body()), idCgroup)).hasValue(0);
                    assertThat(success(MetricsText.parse(m2.body()), idGood)).hasValue(1);

                    // Prometheus's timeout header, shorter than --scrape.timeout, with a newly stuck process
                    String idHeader = stuck(tree, 4_100_003, "cgroup");
                    Timed m3 = scrape(node, "/metrics", "2");
                    assertThat(m3.status()).isEqualTo(200);
                    assertThat(m3.millis()).isLessThan(2000 + MARGIN_MS / 2);
                    assertThat(success(MetricsText.parse(m3.body()), idHeader)).hasValue(0);
                    assertThat(success(MetricsText.parse(m3.body()), idGood)).hasValue(1);
                    assertThat(exporter.isAlive()).isTrue();
                    // one line per stuck namespace, not one per scrape
                    assertThat(exporter.log()).doesNotHaveDuplicates();
                }
            } finally {
                pg.destroyForcibly().waitFor();
                pn.destroyForcibly().waitFor();
            }
        }
    }

    /** A process folder with a socket table of its own (a regular file: its identity) and {@code blocking} a FIFO. */
    private static String stuck(ProcfsTree tree, long pid, String blocking) throws Exception {
        Path dir = tree.fake(pid);
        Path net = Files.createDirectory(dir.resolve("net"));
        ProcfsTree.open(net);
        Files.writeString(net.resolve("tcp"), "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        if (!blocking.equals("cgroup")) {
            Files.writeString(dir.resolve("cgroup"), "0::/\n");
        }
        Path fifo = ProcfsTree.fifo(dir.resolve(blocking));
        ProcfsTree.open(fifo.getParent());
        return ProcfsTree.identity(dir);
    }

    private static java.util.OptionalDouble success(MetricsText m, String netns) {
        return m.get("footgun_netns_scrape_collector_success", "netns", netns, "collector", "sockets");
    }

    record Timed(int status, long millis, String body) {}

    /** A GET from inside the node's namespace, with Prometheus's timeout header when given, timed. */
    private static Timed scrape(NetNs node, String path, String timeoutHeader) {
        return scrape(node, path, timeoutHeader, true);
    }

    private static Timed scrape(NetNs node, String path, String timeoutHeader, boolean onNodeThread) {
        try {
            java.util.concurrent.Callable<Timed> get = () -> {
                long t0 = System.nanoTime();
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + PORT + path).toURL().openConnection();
                c.setConnectTimeout(10_000);
                c.setReadTimeout(60_000);
                if (timeoutHeader != null) {
                    c.setRequestProperty("X-Prometheus-Scrape-Timeout-Seconds", timeoutHeader);
                }
                int status = c.getResponseCode();
                String body = new String((status >= 400 ? c.getErrorStream() : c.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
                c.disconnect();
                return new Timed(status, (System.nanoTime() - t0) / 1_000_000, body);
            };
            return onNodeThread ? node.call(get) : get.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

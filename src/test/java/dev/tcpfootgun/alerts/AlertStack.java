package dev.tcpfootgun.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tcpfootgun.alerts.AlertRulesTest.MiniJson;
import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.NetNs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The whole alerting path for real, in one network namespace on loopback: the packaged exporter,
 * Prometheus with the shipped footgun-rules.yml (only every {@code for:} cut, to 0s, and to 10 s for
 * the absent-target rule, true until the first scrape lands; 1 s scrape and evaluation), Alertmanager with the example configuration (its receivers' webhooks pointed at a
 * webhook receiver here, /pager and /warnings; waits cut to 1 s), and that webhook receiver.
 *
 * <p>All HTTP runs on the namespace's thread with connections kept alive (response read fully,
 * never disconnect()), because each closed client connection sits in TIME_WAIT on an ephemeral port.
 */
final class AlertStack implements AutoCloseable {

    static final int EXPORTER_PORT = 10071;
    static final int PROMETHEUS_PORT = 9090;
    static final int ALERTMANAGER_PORT = 9093;
    static final int WEBHOOK_PORT = 9095;
    static final String INSTANCE = "127.0.0.1:" + EXPORTER_PORT;

    /** One notification Alertmanager sent: which receiver's path, and the JSON body. */
    record Delivery(String path, String body) {}

    final NetNs ns;
    private final Path tmp;
    private final List<Process> processes = new ArrayList<>();
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private HttpServer webhook;
    private ExporterProcess exporter;

    private AlertStack(NetNs ns, Path tmp) {
        this.ns = ns;
        this.tmp = tmp;
    }

    /** Skips the test with its reason unless root, ip, prometheus, alertmanager and the packaged jar are there. */
    static void assumeAvailable() {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        for (String tool : List.of("prometheus", "prometheus-alertmanager")) {
            assumeTrue(Cmd.available(tool), tool + " not installed (Debian packages prometheus, prometheus-alertmanager)");
        }
        assumeTrue(Files.isRegularFile(ExporterProcess.JAR), ExporterProcess.JAR + " missing: run through mvn verify");
    }

    /** Starts the stack in {@code ns} (set up by the caller first); the exporter gets {@code flags} too. */
    static AlertStack start(NetNs ns, Path tmp, String... flags) throws Exception {
        AlertStack s = new AlertStack(ns, tmp);
        try {
            s.startAll(flags);
        } catch (Exception | AssertionError e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startAll(String... flags) throws Exception {
        webhook = ns.call(() -> {
            HttpServer h = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), WEBHOOK_PORT), 16);
            h.createContext("/", ex -> {
                try (ex) {
                    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    deliveries.add(new Delivery(ex.getRequestURI().getPath(), body));
                    ex.sendResponseHeaders(200, -1);
                }
            });
            h.start();
            return h;
        });
        List<String> all = new ArrayList<>(List.of("--web.listen-address=" + INSTANCE));
        all.addAll(List.of(flags));
        exporter = ExporterProcess.start(ns, all.toArray(String[]::new));

        Path rules = tmp.resolve("footgun-rules.yml");
        // absent() is true until the first scrape lands: that rule keeps a few scrapes' worth
        String absent = "expr: absent(up{job=~\".*tcp-footgun-exporter.*\"})\n        for: ";
        String shortened = Files.readString(AlertRulesTest.RULES).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s");
        assertThat(shortened).contains(absent + "0s");
        Files.writeString(rules, shortened.replace(absent + "0s", absent + "10s"));
        Path prometheusYml = tmp.resolve("prometheus.yml");
        Files.writeString(prometheusYml, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files: [%s]
                alerting:
                  alertmanagers:
                    - static_configs: [{targets: ['127.0.0.1:%d']}]
                scrape_configs:
                  - job_name: %s
                    static_configs: [{targets: ['%s']}]
                """.formatted(rules, ALERTMANAGER_PORT, AlertRulesTest.JOB, INSTANCE));

        String am = Files.readString(AlertRulesTest.ALERTMANAGER_EXAMPLE)
                .replace("http://pager-bridge.example.internal:9095/alerts", "http://127.0.0.1:" + WEBHOOK_PORT + "/pager")
                .replace("http://chat-bridge.example.internal:9096/alerts", "http://127.0.0.1:" + WEBHOOK_PORT + "/warnings")
                .replaceAll("group_wait: \\S+", "group_wait: 1s")
                .replaceAll("group_interval: \\S+", "group_interval: 1s");
        assertThat(am).contains("/pager").contains("/warnings");
        Path alertmanagerYml = tmp.resolve("alertmanager.yml");
        Files.writeString(alertmanagerYml, am);

        process("alertmanager", "prometheus-alertmanager", "--config.file=" + alertmanagerYml,
                "--storage.path=" + tmp.resolve("am-data"),
                "--web.listen-address=127.0.0.1:" + ALERTMANAGER_PORT, "--cluster.listen-address=");
        process("prometheus", "prometheus", "--config.file=" + prometheusYml,
                "--storage.tsdb.path=" + tmp.resolve("prom-data"),
                "--web.listen-address=127.0.0.1:" + PROMETHEUS_PORT, "--rules.alert.resend-delay=1s");
        awaitReady("http://127.0.0.1:" + ALERTMANAGER_PORT + "/-/ready");
        awaitReady("http://127.0.0.1:" + PROMETHEUS_PORT + "/-/ready");
    }

    private void process(String name, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ns.prefixed(command));
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        processes.add(pb.start());
    }

    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The notifications that reached the pager receiver. */
    List<Delivery> pages() {
        return deliveries.stream().filter(d -> d.path().equals("/pager")).toList();
    }

    /** Prometheus's alerts now (pending and firing), each as its JSON object. */
    List<Map<String, Object>> prometheusAlerts() throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object a : AlertRulesTest.list(AlertRulesTest.map(prometheus("GET", "/api/v1/alerts", null).get("data")).get("alerts"))) {
            out.add(AlertRulesTest.map(a));
        }
        return out;
    }

    String alertmanager(String path) throws Exception {
        return http("GET", "http://127.0.0.1:" + ALERTMANAGER_PORT + path, null);
    }

    String http(String method, String url, String form) throws Exception {
        return ns.call(() -> {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(20_000);
            c.setRequestMethod(method);
            if (form != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(form.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (status >= 400 && status != 422 && status != 400) {
                    throw new IOException(method + " " + url + " -> " + status + ": " + body);
                }
                return body;
            }
        });
    }

    Map<String, Object> prometheus(String method, String path, String form) throws Exception {
        return AlertRulesTest.map(MiniJson.parse(http(method, "http://127.0.0.1:" + PROMETHEUS_PORT + path, form)));
    }

    List<Map<String, Object>> vector(String promql) throws Exception {
        Map<String, Object> r = prometheus("POST", "/api/v1/query", "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(r.get("status")).as(promql).isEqualTo("success");
        List<Map<String, Object>> out = new ArrayList<>();
        AlertRulesTest.list(AlertRulesTest.map(r.get("data")).get("result")).forEach(o -> out.add(AlertRulesTest.map(o)));
        return out;
    }

    void awaitReady(String url) throws Exception {
        await(Duration.ofSeconds(60), url, () -> {
            try {
                http("GET", url, null);
                return Boolean.TRUE;
            } catch (Exception e) {
                return null;
            }
        });
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    <T> T await(Duration timeout, String what, Probe<T> probe) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                T v = probe.get();
                if (v != null) {
                    return v;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + logs(), last);
    }

    String logs() {
        StringBuilder b = new StringBuilder();
        for (String name : List.of("prometheus", "alertmanager")) {
            try {
                List<String> lines = Files.readAllLines(tmp.resolve(name + ".log"));
                b.append("\n--- ").append(name).append(" log (tail) ---\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
            } catch (IOException e) {
                // no log yet
            }
        }
        b.append("\n--- webhook deliveries: ").append(deliveries.size());
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes.reversed()) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (exporter != null) {
            exporter.close();
        }
        if (webhook != null) {
            ns.call(() -> {
                webhook.stop(0);
                return null;
            });
        }
    }
}

package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.MetricsText;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged jar on this host, scraped over real HTTP. */
class HttpIT {

    static ExporterProcess exporter;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        exporter = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + port);
        url = "http://127.0.0.1:" + port;
    }

    @AfterAll
    static void stop() {
        exporter.close();
    }

    @Test
    void startupLogsAddressAndSourcesInOneLine() {
        assertThat(exporter.log()).anySatisfy(l -> assertThat(l)
                .contains("listening on 127.0.0.1:").contains("sources:").contains("sockets(").contains("sysctl"));
    }

    @Test
    void prometheusTextByDefaultAndLintClean() throws Exception {
        var r = ExporterProcess.get(url + "/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain; version=0.0.4");
        MetricsText m = MetricsText.parse(r.body());
        assertThat(m.get("footgun_scrape_collector_success", "collector", "sysctl")).hasValue(1);
        assertThat(m.get("footgun_scrape_collector_success", "collector", "netstat")).hasValue(1);
        assertThat(m.has("footgun_build_info{")).isTrue();
        assertThat(m.has("footgun_tcp_sockets{")).isTrue();
        assertThat(m.has("footgun_risk_ratio{footgun=\"ephemeral_port_exhaustion\"}")).isTrue();
        assertThat(m.has("footgun_sysctl_net_ipv4_tcp_fin_timeout")).isTrue();
        assertThat(m.has("footgun_tcp_retrans_segs_total")).isTrue();
        assertThat(r.body()).contains("# TYPE footgun_tcpext_listen_overflows_total counter");
        PortExhaustionIT.checkWithPromtool(r.body());
    }

    @Test
    void eachSequentialScrapeIsOneRead() throws Exception {
        double first = MetricsText.parse(ExporterProcess.get(url + "/metrics", null).body()).get("footgun_scrape_reads_total").orElseThrow();
        double second = MetricsText.parse(ExporterProcess.get(url + "/metrics", null).body()).get("footgun_scrape_reads_total").orElseThrow();
        assertThat(second).isEqualTo(first + 1);
    }

    @Test
    void openMetricsWhenAsked() throws Exception {
        var r = ExporterProcess.get(url + "/metrics", "application/openmetrics-text; version=1.0.0");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/openmetrics-text");
        assertThat(r.body()).endsWith("# EOF\n").contains("# TYPE footgun_build info");
    }

    /** The prometheus_client's OpenMetrics parser (python3-prometheus-client) over a real scrape. */
    static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

    /**
     * Python's OpenMetrics parser reads the whole exposition; every family with _info samples is of
     * type info; the verdict is a StateSet whose states are exactly the Status enum's, one true per
     * footgun; the build info carries the revision and branch.
     */
    @Test
    void openMetricsParsesWithInfoAndStateSetTypes() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SYSTEM_PYTHON), "needs Debian's python3 with python3-prometheus-client");
        var r = ExporterProcess.get(url + "/metrics", "application/openmetrics-text; version=1.0.0");
        Path file = Files.createTempFile("eco-openmetrics", ".txt");
        try {
            Files.writeString(file, r.body());
            String script = String.join("\n",
                    "import sys",
                    "try:",
                    "    from prometheus_client.openmetrics.parser import text_string_to_metric_families",
                    "except ImportError:",
                    "    print('no prometheus_client'); sys.exit(0)",
                    "families = list(text_string_to_metric_families(open(sys.argv[1]).read()))",
                    "states = set(sys.argv[2].split(','))",
                    "for f in families:",
                    "    if any(s.name.endswith('_info') for s in f.samples):",
                    "        assert f.type == 'info', (f.name, f.type)",
                    "verdict = [f for f in families if f.name == 'footgun_finding_status']",
                    "assert len(verdict) == 1 and verdict[0].type == 'stateset', verdict",
                    "by_footgun = {}",
                    "for s in verdict[0].samples:",
                    "    by_footgun.setdefault(s.labels['footgun'], {})[s.labels['footgun_finding_status']] = s.value",
                    "for footgun, seen in by_footgun.items():",
                    "    assert set(seen) == states, (footgun, seen)",
                    "    assert sorted(seen.values()) == [0] * (len(states) - 1) + [1], (footgun, seen)",
                    "build = [f for f in families if f.name == 'footgun_build'][0]",
                    "assert build.type == 'info' and {'version', 'revision', 'branch', 'java_version'} <= set(build.samples[0].labels), build",
                    "types = sorted(set(f.type for f in families))",
                    "print('parsed', len(families), 'families;', len(by_footgun), 'verdicts; types', ' '.join(types))");
            String out = Cmd.run(SYSTEM_PYTHON.toString(), "-c", script, file.toString(),
                    String.join(",", Arrays.stream(Status.values()).map(Status::label).toList())).strip();
            Assumptions.assumeFalse(out.equals("no prometheus_client"), "python3-prometheus-client is not installed");
            System.out.println("HttpIT: " + out);
            assertThat(out).startsWith("parsed").contains("info").contains("stateset").contains("gaugehistogram");
        } finally {
            Files.delete(file);
        }
    }

    /** The exporter's own memory as the kernel counts it: VmRSS of /proc/PID/status, read around the scrape. */
    @Test
    void residentMemoryIsTheProcessesVmRss() throws Exception {
        Path status = Path.of("/proc", Long.toString(exporter.pid()), "status");
        long before = vmRssBytes(status);
        MetricsText m = MetricsText.parse(ExporterProcess.get(url + "/metrics", null).body());
        long after = vmRssBytes(status);
        double rss = m.get("process_resident_memory_bytes").orElseThrow();
        System.out.printf("HttpIT: process_resident_memory_bytes %.0f, VmRSS %d before and %d after the scrape%n", rss, before, after);
        assertThat(rss).isBetween(Math.min(before, after) * 0.95, Math.max(before, after) * 1.05);
        assertThat(m.get("process_open_fds")).isPresent();
        assertThat(m.get("process_cpu_seconds_total")).isPresent();
        assertThat(m.get("jvm_memory_used_bytes", "area", "heap")).isPresent();
        assertThat(m.get("jvm_memory_max_bytes", "area", "heap")).isPresent();
        assertThat(m.has("jvm_gc_collection_seconds_count{")).isTrue();
        assertThat(m.has("jvm_threads_current")).isTrue();
        assertThat(m.has("jvm_memory_pool_")).as("per-pool JVM families are left out").isFalse();
    }

    private static long vmRssBytes(Path status) throws Exception {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                String[] f = line.split("\\s+");
                assertThat(f[2]).isEqualTo("kB");
                return Long.parseLong(f[1]) * 1024;
            }
        }
        throw new AssertionError("no VmRSS in " + status);
    }

    /** --web.disable-exporter-metrics: no process_* or jvm_*, the exporter's own families stay. */
    @Test
    void exporterMetricsCanBeLeftOut(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        FakeKernel kernel = FakeKernel.create(dir);
        int port = FakeKernel.freePort();
        List<String> flags = new java.util.ArrayList<>(List.of(kernel.flags(port)));
        flags.add("--web.disable-exporter-metrics");
        try (ExporterProcess quiet = ExporterProcess.start(null, flags.toArray(String[]::new))) {
            MetricsText m = MetricsText.parse(ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null).body());
            assertThat(m.samples().keySet()).noneMatch(k -> k.startsWith("process_") || k.startsWith("jvm_"));
            assertThat(m.has("footgun_build_info{")).isTrue();
            assertThat(m.has("footgun_risk_ratio{")).isTrue();
        }
    }

    /** Sockstat's page counts also in bytes, by the kernel's page size; FRAG memory is bytes by name. */
    @Test
    void sockstatMemoryInBytes() throws Exception {
        MetricsText m = MetricsText.parse(ExporterProcess.get(url + "/metrics", null).body());
        double pages = m.get("footgun_sockstat_tcp_mem_pages").orElseThrow();
        double bytes = m.get("footgun_sockstat_tcp_mem_bytes").orElseThrow();
        long pageSize = Long.parseLong(Cmd.run("getconf", "PAGESIZE").strip());
        // two reads of the same scrape: one figure, so exact
        assertThat(bytes).isEqualTo(pages * pageSize);
        assertThat(m.has("footgun_sockstat_frag_memory_bytes")).isTrue();
        assertThat(m.has("footgun_sockstat_frag_memory ")).isFalse();
    }

    /** Two --web.listen-address flags: both answer, from one process and one registry. */
    @Test
    void everyListenAddressAnswers(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        FakeKernel kernel = FakeKernel.create(dir);
        int first = FakeKernel.freePort();
        int second = FakeKernel.freePort();
        List<String> flags = new java.util.ArrayList<>(List.of(kernel.flags(first)));
        flags.add("--web.listen-address=127.0.0.1:" + second);
        try (ExporterProcess twice = ExporterProcess.start(null, flags.toArray(String[]::new))) {
            for (int port : new int[] {first, second}) {
                var r = ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null);
                assertThat(r.status()).as("port " + port).isEqualTo(200);
                assertThat(r.body()).contains("footgun_risk_ratio");
            }
            assertThat(twice.log()).anySatisfy(l -> assertThat(l)
                    .contains("listening on 127.0.0.1:" + first + " 127.0.0.1:" + second));
        }
    }

    @Test
    void landingPageHealthAndUnknownPaths() throws Exception {
        var page = ExporterProcess.get(url + "/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"/metrics\"").contains("ephemeral_port_exhaustion");
        assertThat(ExporterProcess.get(url + "/-/healthy", null).status()).isEqualTo(200);
        assertThat(ExporterProcess.get(url + "/no-such-page", null).status()).isEqualTo(404);
        var json = ExporterProcess.get(url + "/findings.json", null);
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.body()).contains("\"footgun\": \"conntrack_table_full\"");
    }

    @Test
    void badFlagIsOneLineAndExitCodeTwo() throws Exception {
        for (List<String> flags : List.of(List.of("--no-such-flag"), List.of("--destinations.top=zero"),
                List.of("--web.listen-address=nonsense"))) {
            var cmd = new java.util.ArrayList<>(List.of(ExporterProcess.java(), "-jar", ExporterProcess.JAR.toString()));
            cmd.addAll(flags);
            Process p = new ProcessBuilder(cmd).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(flags.toString()).isEqualTo(2);
            assertThat(err.strip().lines().count()).as(err).isEqualTo(1);
            assertThat(err).contains(flags.get(0).split("=")[0]);
        }
    }
}

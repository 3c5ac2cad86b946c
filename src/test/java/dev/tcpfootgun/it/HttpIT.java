package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
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

package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input loses nothing: with --path.procfs and --path.sysfs pointing at empty folders the scrape
 * still answers 200, every source reports success 0, and the log says why once per source.
 */
class EmptyProcfsIT {

    @Test
    void everySourceFailsVisiblyAndTheScrapeStillAnswers(@TempDir Path empty) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path proc = Files.createDirectories(empty.resolve("proc"));
        Path sys = Files.createDirectories(empty.resolve("sys"));
        try (ExporterProcess exporter = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + port,
                "--path.procfs=" + proc, "--path.sysfs=" + sys, "--collector.sockets.source=procfs")) {
            String url = "http://127.0.0.1:" + port;
            var first = ExporterProcess.get(url + "/metrics", null);
            var second = ExporterProcess.get(url + "/metrics", null);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            MetricsText m = MetricsText.parse(second.body());
            List<String> collectors = List.of("sockets", "conntrack", "netstat", "snmp", "sockstat", "sysctl", "interfaces", "qdisc");
            for (String c : collectors) {
                assertThat(m.get("footgun_scrape_collector_success", "collector", c)).as(c).hasValue(0);
            }
            assertThat(m.get("footgun_finding_status", "footgun", "conntrack_table_full", "footgun_finding_status", "unknown")).hasValue(1);
            assertThat(m.has("footgun_risk_ratio")).isFalse();
            assertThat(ExporterProcess.get(url + "/-/healthy", null).status()).isEqualTo(200);
            // start-up read plus two scrapes, yet each source's reason is logged once
            for (String c : collectors) {
                assertThat(exporter.log().stream().filter(l -> l.contains("collector " + c + " unavailable")).count())
                        .as("log lines for " + c + " in " + exporter.log()).isEqualTo(1);
            }
            assertThat(exporter.log()).anySatisfy(l -> assertThat(l).contains("nf_conntrack_count"));
        }
    }
}

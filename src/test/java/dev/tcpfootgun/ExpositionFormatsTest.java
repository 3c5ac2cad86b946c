package dev.tcpfootgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.source.netlink.NetlinkReplay;
import dev.tcpfootgun.web.ExporterServer;
import dev.tcpfootgun.web.WebConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The golden fixture's whole exposition in both formats Prometheus negotiates, as the exporter
 * writes them (its own writer) and as client_java's writer writes them (?debug=, which is always
 * client_java's): the same lines, once what varies from scrape to scrape (read times, the read
 * counter, JVM figures) is left out.
 */
class ExpositionFormatsTest {

    private static String comparable(String body) {
        return GoldenExpositionTest.deterministic(body).lines().filter(l -> !l.startsWith("footgun_scrape_reads_total"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void theExportersOwnWriterWritesWhatClientJavasWritesForTheWholeFixture() throws Exception {
        Settings settings = Settings.parse(List.of("--web.listen-address=127.0.0.1:0",
                "--path.procfs=" + GoldenExpositionTest.resource("/proc/linux-6.18"),
                "--path.sysfs=" + GoldenExpositionTest.resource("/golden/sys")));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExporterServer server = Main.start(settings, WebConfig.none(), NetlinkReplay.replaying(GoldenExpositionTest.resource("/golden/netlink")),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(server).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
        try (HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + server.port() + "/metrics";
            java.util.function.BiFunction<String, String, String> get = (query, accept) -> {
                try {
                    var r = client.send(HttpRequest.newBuilder(URI.create(base + query)).header("Accept", accept)
                            .timeout(Duration.ofSeconds(60)).build(), BodyHandlers.ofString());
                    assertThat(r.statusCode()).isEqualTo(200);
                    return r.body();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            String om = get.apply("", "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.4");
            String omDebug = get.apply("?debug=openmetrics", "*/*");
            String text = get.apply("", "text/plain;version=0.0.4");
            String textDebug = get.apply("?debug=text", "*/*");
            assertThat(om).contains("# TYPE footgun_finding_status stateset\n").endsWith("# EOF\n");
            assertThat(comparable(om)).isEqualTo(comparable(omDebug));
            assertThat(text).contains("# TYPE footgun_finding_status gauge\n");
            assertThat(comparable(text)).isEqualTo(comparable(textDebug));
        } finally {
            server.close();
        }
    }
}

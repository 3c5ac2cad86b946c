package dev.tcpfootgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.source.netlink.NetlinkReplay;
import dev.tcpfootgun.web.WebConfig;
import dev.tcpfootgun.web.ExporterServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The whole /metrics of a committed fixture tree (procfs of a 6.18 kernel, a small sysfs, and the
 * netlink replies of one namespace: sock_diag sockets with tcp_info, rtnetlink links and qdiscs,
 * ctnetlink conntrack entries and nf_tables NAT rules), scraped over real HTTP from the exporter
 * started as serve starts it, with its netlink requests answered by the captures in
 * src/test/resources/golden/netlink (made by source/netlink/GoldenCapture), compared with a committed golden file
 * after dropping the lines that cannot be deterministic: node_exporter's end-to-end test. A metric
 * renamed, a label added or a value changed shows up as a diff of
 * src/test/resources/golden/linux-6.18.metrics.txt. Regenerate it, then read the diff:
 * {@code .ci/with-jdk25 mvn -B -ntp -o test -Dtest=GoldenExpositionTest -Dgolden.update=true}
 */
class GoldenExpositionTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden/linux-6.18.metrics.txt");

    /** Families whose values differ from run to run: read times, and the build's own version. */
    static final Pattern NOT_DETERMINISTIC = Pattern.compile(
            "^(# (HELP|TYPE) )?(footgun_scrape_collector_duration_seconds|footgun_build_info|process_|jvm_)");

    static Path resource(String path) {
        try {
            return Path.of(GoldenExpositionTest.class.getResource(path).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The exposition with the lines that cannot be deterministic left out, in the order served. */
    static String deterministic(String exposition) {
        return exposition.lines().filter(l -> !NOT_DETERMINISTIC.matcher(l).find())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void theWholeExpositionOfTheFixtureTreeMatchesTheGoldenFile() throws Exception {
        Settings settings = Settings.parse(List.of("--web.listen-address=127.0.0.1:0",
                // interfaces come from the rtnetlink capture: the sysfs tree answers only if that replay fails
                "--path.procfs=" + resource("/proc/linux-6.18"), "--path.sysfs=" + resource("/golden/sys"),
                "--web.disable-exporter-metrics"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // the captures answer every netlink request, so this machine's own sockets, links and conntrack are never read
        ExporterServer server = Main.start(settings, WebConfig.none(), NetlinkReplay.replaying(resource("/golden/netlink")),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(server).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
        String body;
        try {
            body = get("http://127.0.0.1:" + server.port() + "/metrics");
        } finally {
            server.close();
        }
        String actual = deterministic(body);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(GOLDEN, actual);
        }
        assertThat(GOLDEN).as("golden file; regenerate with -Dgolden.update=true").exists();
        assertThat(actual).isEqualTo(Files.readString(GOLDEN));
    }

    @Test
    void theFilterDropsOnlyWhatVariesFromRunToRun() {
        String in = """
                # HELP footgun_scrape_collector_duration_seconds Time a collector took in this scrape.
                footgun_scrape_collector_duration_seconds{collector="sockets"} 0.0012
                footgun_scrape_collector_success{collector="sockets"} 1
                footgun_build_info{version="dev"} 1
                process_cpu_seconds_total 1.5
                footgun_risk_ratio{footgun="pmtu_blackhole"} 0.3
                """;
        assertThat(deterministic(in)).isEqualTo("""
                footgun_scrape_collector_success{collector="sockets"} 1
                footgun_risk_ratio{footgun="pmtu_blackhole"} 0.3
                """);
    }

    private static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(60_000);
        assertThat(c.getResponseCode()).isEqualTo(200);
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

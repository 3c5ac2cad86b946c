package dev.tcpfootgun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void defaults() throws Exception {
        Settings s = Settings.parse(List.of());
        assertThat(s.command()).isEqualTo("serve");
        assertThat(s.listenAddress()).isEqualTo(new ListenAddress(null, Settings.DEFAULT_PORT));
        assertThat(s.telemetryPath()).isEqualTo("/metrics");
        assertThat(s.procfs()).isEqualTo(Path.of("/proc"));
        assertThat(s.sysfs()).isEqualTo(Path.of("/sys"));
        assertThat(s.destinationsTop()).isEqualTo(20);
        assertThat(s.socketSource()).isEqualTo(SocketSourceMode.AUTO);
    }

    @Test
    void trainIsACommand() throws Exception {
        assertThat(Settings.parse(List.of("train", "--path.procfs=/host/proc")).command()).isEqualTo("train");
        assertThat(Settings.USAGE).contains("  train ");
    }

    @Test
    void flagsWithEqualsOrSeparateValue() throws Exception {
        Settings s = Settings.parse(List.of("doctor", "--web.listen-address=[::1]:9000", "--web.telemetry-path", "/m",
                "--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--destinations.top=5",
                "--collector.sockets.source=procfs", "--output=json"));
        assertThat(s.command()).isEqualTo("doctor");
        assertThat(s.listenAddress()).isEqualTo(new ListenAddress("::1", 9000));
        assertThat(s.telemetryPath()).isEqualTo("/m");
        assertThat(s.procfs()).isEqualTo(Path.of("/host/proc"));
        assertThat(s.destinationsTop()).isEqualTo(5);
        assertThat(s.socketSource()).isEqualTo(SocketSourceMode.PROCFS);
        assertThat(s.output()).isEqualTo("json");
        assertThat(Settings.parse(List.of("--web.listen-address=127.0.0.1:1")).listenAddress().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void namespacesAndDeadline() throws Exception {
        Settings s = Settings.parse(List.of("--collector.netns", "--netns.top=3", "--path.pod-logs=/x/pods", "--scrape.timeout=2.5s"));
        assertThat(s.netns()).isTrue();
        assertThat(s.netnsTop()).isEqualTo(3);
        assertThat(s.podLogs()).isEqualTo(Path.of("/x/pods"));
        assertThat(s.scrapeTimeout()).isEqualTo(java.time.Duration.ofMillis(2500));
        assertThat(Settings.parse(List.of("--collector.netns", "--no-collector.netns")).netns()).isFalse();
        assertThat(Settings.parse(List.of("--scrape.timeout=500ms")).scrapeTimeout()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(Settings.parse(List.of()).scrapeTimeout()).isEqualTo(java.time.Duration.ofSeconds(9));
        assertThatThrownBy(() -> Settings.parse(List.of("--scrape.timeout=soon"))).hasMessageContaining("--scrape.timeout");
        assertThatThrownBy(() -> Settings.parse(List.of("--scrape.timeout=1h"))).hasMessageContaining("--scrape.timeout");
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.netns=yes"))).hasMessageContaining("takes no value");
    }

    @Test
    void badFlagsNameThemselves() {
        assertThatThrownBy(() -> Settings.parse(List.of("--bogus=1"))).hasMessage("unknown flag --bogus");
        assertThatThrownBy(() -> Settings.parse(List.of("--destinations.top=0"))).hasMessageContaining("--destinations.top");
        assertThatThrownBy(() -> Settings.parse(List.of("--destinations.top=x"))).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> Settings.parse(List.of("--web.listen-address=:99999"))).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Settings.parse(List.of("--web.listen-address=::1:9000"))).hasMessageContaining("brackets");
        assertThatThrownBy(() -> Settings.parse(List.of("--web.telemetry-path=metrics"))).hasMessageContaining("--web.telemetry-path");
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.sockets.source=ebpf"))).hasMessageContaining("auto, netlink or procfs");
        assertThatThrownBy(() -> Settings.parse(List.of("--path.procfs"))).hasMessage("--path.procfs: missing value");
        assertThatThrownBy(() -> Settings.parse(List.of("frobnicate"))).hasMessageContaining("unknown command");
        assertThatThrownBy(() -> Settings.parse(List.of("--doctor.fail-on=info")))
                .hasMessage("--doctor.fail-on: expected advice, warn or critical, got \"info\"");
    }

    @Test
    void doctorFailsOnWarningsUnlessAFlagMovesTheGate() throws Exception {
        assertThat(Settings.parse(List.of()).doctorFailOn()).isEqualTo(dev.tcpfootgun.footgun.Status.WARN);
        assertThat(Settings.parse(List.of("doctor", "--doctor.fail-on=advice")).doctorFailOn())
                .isEqualTo(dev.tcpfootgun.footgun.Status.ADVICE);
        assertThat(Settings.parse(List.of("doctor", "--doctor.fail-on", "critical")).doctorFailOn())
                .isEqualTo(dev.tcpfootgun.footgun.Status.CRITICAL);
    }

    @Test
    void theDetailLimitFollowsTheHeapUnlessAFlagSetsIt() throws Exception {
        assertThat(Settings.parse(List.of()).socketDetailLimit()).isEqualTo(Settings.DETAIL_LIMIT_AUTO);
        assertThat(Settings.parse(List.of("--collector.sockets.detail-limit=100")).effectiveSocketDetailLimit()).isEqualTo(100);
        assertThat(Settings.parse(List.of("--collector.sockets.detail-limit=0")).effectiveSocketDetailLimit()).isZero();
        assertThat(Settings.detailLimitForHeap(32L << 20)).isEqualTo(16 * 1024);
        assertThat(Settings.detailLimitForHeap(8L << 20)).isEqualTo(1000);
        assertThat(Settings.detailLimitForHeap(1L << 42)).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.sockets.detail-limit=-1")))
                .hasMessageContaining("--collector.sockets.detail-limit");
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.sockets.detail-limit=many")))
                .hasMessageContaining("not a whole number");
    }
}

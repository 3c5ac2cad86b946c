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
        assertThat(s.listenAddresses()).containsExactly(new ListenAddress(null, Settings.DEFAULT_PORT));
        assertThat(s.logLevel()).isEqualTo(LogLevel.INFO);
        assertThat(s.logFormat()).isEqualTo(LogFormat.LOGFMT);
        assertThat(s.exporterMetrics()).isTrue();
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
        assertThat(s.listenAddresses()).containsExactly(new ListenAddress("::1", 9000));
        assertThat(s.telemetryPath()).isEqualTo("/m");
        assertThat(s.procfs()).isEqualTo(Path.of("/host/proc"));
        assertThat(s.destinationsTop()).isEqualTo(5);
        assertThat(s.socketSource()).isEqualTo(SocketSourceMode.PROCFS);
        assertThat(s.output()).isEqualTo("json");
        assertThat(Settings.parse(List.of("--web.listen-address=127.0.0.1:1")).listenAddresses().getFirst().host()).isEqualTo("127.0.0.1");
        assertThat(Settings.defaults().maxRequests()).isEqualTo(40);
        assertThat(Settings.parse(List.of("--web.max-requests=0")).maxRequests()).isZero();
        assertThat(Settings.parse(List.of("--web.max-requests", "100")).maxRequests()).isEqualTo(100);
    }

    @Test
    void namespacesAndDeadline() throws Exception {
        Settings s = Settings.parse(List.of("--collector.netns", "--netns.top=3", "--path.pod-logs=/x/pods", "--scrape.timeout=2s500ms"));
        assertThat(s.netns()).isTrue();
        assertThat(s.netnsTop()).isEqualTo(3);
        assertThat(s.podLogs()).isEqualTo(Path.of("/x/pods"));
        assertThat(s.scrapeTimeout()).isEqualTo(java.time.Duration.ofMillis(2500));
        assertThat(Settings.parse(List.of("--collector.netns", "--no-collector.netns")).netns()).isFalse();
        assertThat(Settings.parse(List.of("--scrape.timeout=500ms")).scrapeTimeout()).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(Settings.parse(List.of()).scrapeTimeout()).isEqualTo(java.time.Duration.ofSeconds(9));
        assertThatThrownBy(() -> Settings.parse(List.of("--scrape.timeout=soon"))).hasMessageContaining("--scrape.timeout");
        assertThatThrownBy(() -> Settings.parse(List.of("--scrape.timeout=1h"))).hasMessageContaining("--scrape.timeout")
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> Settings.parse(List.of("--scrape.timeout=2.5s"))).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.netns=yes"))).hasMessageContaining("takes no value");
    }

    @Test
    void badFlagsNameThemselves() {
        assertThatThrownBy(() -> Settings.parse(List.of("--bogus=1"))).hasMessage("unknown flag --bogus");
        assertThatThrownBy(() -> Settings.parse(List.of("--destinations.top=0"))).hasMessageContaining("--destinations.top");
        assertThatThrownBy(() -> Settings.parse(List.of("--destinations.top=x"))).hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> Settings.parse(List.of("--web.max-requests=-1"))).hasMessage("--web.max-requests: -1 is out of range 0-100000");
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
    void podVethsAreLeftOutOfInterfaceSeriesUnlessTheFlagSaysOtherwise() throws Exception {
        var d = Settings.parse(List.of()).ignoredDevices();
        for (String veth : List.of("veth3a9f1c2", "cali8d2b4e0f1a", "lxc12ab34cd", "gke5e1f0a9b2c", "azv1234", "eni0a1b2c3d")) {
            assertThat(d.matcher(veth).find()).as(veth).isTrue();
        }
        for (String kept : List.of("eth0", "ens5", "lo", "vxlan.calico", "flannel.1", "cilium_vxlan", "wg0", "bond0", "docker0")) {
            assertThat(d.matcher(kept).find()).as(kept).isFalse();
        }
        assertThat(Settings.parse(List.of("--collector.interfaces.ignored-devices=^$")).ignoredDevices().matcher("veth0").find()).isFalse();
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.interfaces.ignored-devices=(veth")))
                .hasMessageStartingWith("--collector.interfaces.ignored-devices: not a regular expression");
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

    @Test
    void theListenAddressRepeatsAsNodeExportersDoes() throws Exception {
        Settings s = Settings.parse(List.of("--web.listen-address=127.0.0.1:9100", "--web.listen-address", "[::1]:9100",
                "--web.listen-address=:0"));
        assertThat(s.listenAddresses()).containsExactly(new ListenAddress("127.0.0.1", 9100), new ListenAddress("::1", 9100),
                new ListenAddress(null, 0));
        assertThatThrownBy(() -> Settings.parse(List.of("--web.listen-address=:1", "--web.listen-address=x")))
                .hasMessageContaining("--web.listen-address");
    }

    @Test
    void versionLogAndExporterMetricsFlags() throws Exception {
        assertThat(Settings.parse(List.of("--version")).command()).isEqualTo("version");
        Settings s = Settings.parse(List.of("--log.level=debug", "--log.format", "json", "--web.disable-exporter-metrics"));
        assertThat(s.logLevel()).isEqualTo(LogLevel.DEBUG);
        assertThat(s.logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(s.exporterMetrics()).isFalse();
        for (String level : List.of("debug", "info", "warn", "error")) {
            assertThat(Settings.parse(List.of("--log.level=" + level)).logLevel().label()).isEqualToIgnoringCase(level);
        }
        assertThatThrownBy(() -> Settings.parse(List.of("--log.level=trace"))).hasMessage(
                "--log.level: expected debug, info, warn or error, got \"trace\"");
        assertThatThrownBy(() -> Settings.parse(List.of("--log.format=text"))).hasMessageContaining("logfmt or json");
        assertThatThrownBy(() -> Settings.parse(List.of("--version=1"))).hasMessage("--version takes no value");
        assertThatThrownBy(() -> Settings.parse(List.of("--log.level"))).hasMessage("--log.level: missing value");
    }

    /** Prometheus's own examples and refusals (prometheus/common model.ParseDuration and its tests). */
    @Test
    void durationsAsPrometheusWritesThem() {
        java.util.Map<String, java.time.Duration> good = new java.util.LinkedHashMap<>();
        good.put("0", java.time.Duration.ZERO);
        good.put("0s", java.time.Duration.ZERO);
        good.put("500ms", java.time.Duration.ofMillis(500));
        good.put("10s", java.time.Duration.ofSeconds(10));
        good.put("1m30s", java.time.Duration.ofSeconds(90));
        good.put("1h30m", java.time.Duration.ofMinutes(90));
        good.put("2d", java.time.Duration.ofDays(2));
        good.put("1w", java.time.Duration.ofDays(7));
        good.put("1y", java.time.Duration.ofDays(365));
        good.put("1y2w3d4h5m6s7ms", java.time.Duration.ofDays(365 + 14 + 3).plusHours(4).plusMinutes(5).plusSeconds(6).plusMillis(7));
        good.put("120s", java.time.Duration.ofMinutes(2));
        good.forEach((text, d) -> {
            assertThat(PrometheusDuration.parse(text)).as(text).isEqualTo(d);
        });
        for (String text : List.of("1m30s", "500ms", "2d", "1w", "1y", "1h30m", "10s")) {
            assertThat(PrometheusDuration.format(PrometheusDuration.parse(text))).isEqualTo(text);
        }
        for (String bad : List.of("", "1", "s", "1.5s", "-1s", "1 s", "30s1m", "1s1s", "1ms1s", "1x", "1h 30m", "1S", "1sm",
                "99999999999999999y")) {
            assertThatThrownBy(() -> PrometheusDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

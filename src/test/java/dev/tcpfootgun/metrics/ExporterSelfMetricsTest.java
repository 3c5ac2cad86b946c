package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tcpfootgun.BuildInfo;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sockstat;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The exporter's own series: build info, reads, per-collector success and duration, parse errors,
 * the verdicts (risk and the status StateSet), and ExporterMetrics' process and JVM families.
 */
class ExporterSelfMetricsTest {

    @Test
    void buildReadsAndEachCollectorsSuccessDurationAndParseErrors() {
        Assessment a = new Assessment(Rendered.observation(ok("netstat", new KernelCounters(Map.of())),
                Reading.failed("snmp", "no /proc/net/snmp", 0.5)), List.of(), Map.of("netstat", 4L, "snmp", 0L), List.of(), 7);
        Rendered r = Rendered.of(a);
        BuildInfo build = BuildInfo.current();
        assertThat(r.info("footgun_build")).containsExactly("branch=\"" + build.branch() + "\",java_version=\"" + BuildInfo.javaVersion()
                + "\",revision=\"" + build.revision() + "\",version=\"test\"");
        assertThat(r.counter("footgun_scrape_reads")).containsExactly(entry("", 7.0));
        // only the collectors switched on have a reading, so only they have series
        assertThat(r.gauge("footgun_scrape_collector_success")).containsExactly(
                entry("collector=\"netstat\"", 1.0), entry("collector=\"snmp\"", 0.0));
        assertThat(r.gauge("footgun_scrape_collector_duration_seconds")).containsExactly(
                entry("collector=\"netstat\"", 0.25), entry("collector=\"snmp\"", 0.5));
        assertThat(r.counter("footgun_parse_errors")).containsExactly(entry("source=\"netstat\"", 4.0), entry("source=\"snmp\"", 0.0));
    }

    @Test
    void aSourceWhoseKernelNamedFamiliesAreRefusedCountsAsFailed() {
        // two sockstat protocols that name the same metric: the whole source is left out and fails
        Sockstat clash = new Sockstat(Map.of("TCP6", Map.of("inuse", 1L), "tcp6", Map.of("inuse", 2L)));
        Rendered r = Rendered.of(ok("sockstat", clash));
        assertThat(r.namesStartingWith("footgun_sockstat_")).isEmpty();
        assertThat(r.gauge("footgun_scrape_collector_success")).containsExactly(entry("collector=\"sockstat\"", 0.0));
    }

    @Test
    void verdictsRiskOnlyWhenKnownAndOneStateSetPointPerFootgun() {
        List<Finding> findings = List.of(Finding.of(Footgun.PMTU_BLACKHOLE, 0.5, List.of("measured"), "fix"),
                Finding.unknown(Footgun.NAGLE_DELAYED_ACK, "no tcp_info", "fix"));
        Rendered r = Rendered.of(Rendered.assessment(findings, List.of()));
        assertThat(r.gauge("footgun_risk_ratio")).containsExactly(entry("footgun=\"pmtu_blackhole\"", 0.5));
        StateSetSnapshot status = r.family(MetricsRenderer.FINDING_STATUS, StateSetSnapshot.class);
        assertThat(status.getDataPoints()).hasSize(2);
        for (var p : status.getDataPoints()) {
            String footgun = p.getLabels().get("footgun");
            String holds = footgun.equals("pmtu_blackhole") ? "warn" : "unknown";
            assertThat(p.size()).isEqualTo(MetricsRenderer.STATES.size());
            for (int i = 0; i < p.size(); i++) {
                assertThat(p.isTrue(i)).as(footgun + " " + p.getName(i)).isEqualTo(p.getName(i).equals(holds));
            }
        }
    }

    @Test
    void noFindingsNoVerdictFamilies() {
        Rendered r = Rendered.of(Rendered.assessment());
        assertThat(r.has("footgun_risk_ratio")).isFalse();
        assertThat(r.has(MetricsRenderer.FINDING_STATUS)).isFalse();
        assertThat(r.has("footgun_build")).isTrue();
        // no collector read: the success family has no point, so it is left out, not emitted empty
        assertThat(r.has("footgun_scrape_collector_success")).isFalse();
    }

    @Test
    void exporterMetricsAreTheProcessAndJvmWithoutThePerPoolFamilies() {
        var registry = new io.prometheus.metrics.model.registry.PrometheusRegistry();
        ExporterMetrics.register(registry);
        List<MetricSnapshot> all = StreamSupport.stream(registry.scrape().spliterator(), false).toList();
        List<String> names = all.stream().map(m -> m.getMetadata().getPrometheusName()).toList();
        assertThat(names).contains("process_cpu_seconds", "process_resident_memory_bytes", "process_open_fds",
                "jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds", "jvm_buffer_pool_used_bytes");
        assertThat(names).noneMatch(n -> n.startsWith(ExporterMetrics.POOL_PREFIX));
        assertThat(all.stream().filter(m -> m.getMetadata().getPrometheusName().equals("process_cpu_seconds")).findFirst().orElseThrow())
                .isInstanceOf(CounterSnapshot.class);
        assertThat(names).noneMatch(n -> n.startsWith("footgun_"));
        assertThat(all).noneMatch(m -> m instanceof InfoSnapshot && m.getMetadata().getPrometheusName().startsWith("footgun"));
    }
}

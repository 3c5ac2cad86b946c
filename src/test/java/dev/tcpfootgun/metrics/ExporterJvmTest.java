package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.ExpositionText.text;
import static dev.tcpfootgun.metrics.ExpositionText.values;
import static dev.tcpfootgun.metrics.ExpositionText.withoutValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ExporterJvm against the client_java collectors it replaces (JvmMemoryMetrics without its per-pool
 * families, JvmGarbageCollectorMetrics, JvmThreadsMetrics, JvmBufferPoolMetrics): the same exposition but for the values
 * of the moment, and the values that cannot move between two reads equal.
 */
class ExporterJvmTest {

    @Test
    void theSameFamiliesHelpTypesUnitsAndSeriesAsClientJavasInBothFormats() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(4096); // a direct pool with a buffer in it
        PrometheusRegistry theirs = theirs();
        PrometheusRegistry ours = ours();
        for (boolean openMetrics : List.of(false, true)) {
            String a = text(theirs.scrape(n -> !n.startsWith(ExporterMetrics.POOL_PREFIX)), openMetrics);
            String b = text(ours.scrape(), openMetrics);
            assertThat(withoutValues(b)).as(openMetrics ? "OpenMetrics" : "text").isEqualTo(withoutValues(a));
            assertThat(withoutValues(b)).contains("jvm_memory_used_bytes{area=\"heap\"}", "jvm_memory_objects_pending_finalization",
                    "jvm_gc_collection_seconds_count{gc=", "jvm_buffer_pool_used_buffers{pool=\"direct\"}",
                    "jvm_threads_state{state=\"UNKNOWN\"}", "jvm_threads_deadlocked_monitor", "jvm_threads_started_total");
        }
        assertThat(direct.capacity()).isEqualTo(4096);
    }

    @Test
    void theValuesAgreeWithClientJavas() throws IOException {
        PrometheusRegistry theirs = theirs();
        PrometheusRegistry ours = ours();
        Map<String, Double> a = values(text(theirs.scrape(n -> !n.startsWith(ExporterMetrics.POOL_PREFIX)), false));
        Map<String, Double> b = values(text(ours.scrape(), false));
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        for (String series : a.keySet()) {
            if (series.startsWith("jvm_memory_max_bytes") || series.startsWith("jvm_memory_init_bytes")) {
                assertThat(b.get(series)).as(series).isEqualTo(a.get(series));
            }
        }
        assertThat(b.get("jvm_memory_used_bytes{area=\"heap\"}")).isPositive();
        assertThat(b.get("jvm_memory_committed_bytes{area=\"nonheap\"}")).isPositive();
        // a collection between the two reads only adds to the count
        a.keySet().stream().filter(s -> s.startsWith("jvm_gc_collection_seconds_count"))
                .forEach(s -> assertThat(b.get(s)).as(s).isGreaterThanOrEqualTo(a.get(s)));
    }

    @Test
    void eachScrapeReadsTheBeansAnew() {
        ExporterJvm jvm = new ExporterJvm();
        double before = buffers(jvm.collect());
        ByteBuffer more = ByteBuffer.allocateDirect(1024);
        assertThat(buffers(jvm.collect())).isGreaterThan(before);
        assertThat(more.capacity()).isEqualTo(1024);
    }

    @Test
    void aThreadStartedBetweenScrapesIsCountedInItsState() throws Exception {
        ExporterJvm jvm = new ExporterJvm();
        double waiting = value(jvm.collect(), "jvm_threads_state", "WAITING");
        double started = value(jvm.collect(), "jvm_threads_started", null);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        try {
            while (t.getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
            MetricSnapshots s = jvm.collect();
            assertThat(value(s, "jvm_threads_state", "WAITING")).isGreaterThanOrEqualTo(waiting + 1);
            assertThat(value(s, "jvm_threads_started", null)).isGreaterThanOrEqualTo(started + 1);
            assertThat(value(s, "jvm_threads_deadlocked", null)).isZero();
        } finally {
            done.countDown();
            t.join();
        }
    }

    private static double value(MetricSnapshots s, String family, String state) {
        for (var m : s) {
            if (m.getMetadata().getPrometheusName().equals(family)) {
                for (var p : m.getDataPoints()) {
                    if (state == null || state.equals(p.getLabels().get("state"))) {
                        return p instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot c ? c.getValue()
                                : ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p).getValue();
                    }
                }
            }
        }
        throw new AssertionError("no " + family + " " + state);
    }

    private static double buffers(MetricSnapshots s) {
        for (var m : s) {
            if (m.getMetadata().getPrometheusName().equals("jvm_buffer_pool_used_buffers")) {
                for (var p : m.getDataPoints()) {
                    if ("direct".equals(p.getLabels().get("pool"))) {
                        return ((io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot) p).getValue();
                    }
                }
            }
        }
        throw new AssertionError("no direct pool");
    }

    private static PrometheusRegistry theirs() {
        PrometheusRegistry r = new PrometheusRegistry();
        JvmMemoryMetrics.builder().register(r);
        JvmGarbageCollectorMetrics.builder().register(r);
        JvmBufferPoolMetrics.builder().register(r);
        JvmThreadsMetrics.builder().register(r);
        return r;
    }

    private static PrometheusRegistry ours() {
        PrometheusRegistry r = new PrometheusRegistry();
        r.register(new ExporterJvm());
        return r;
    }
}

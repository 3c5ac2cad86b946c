package dev.tcpfootgun.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The exporter's own process and JVM, through client_java's instrumentation module: what a
 * DaemonSet operator needs next to the pod's memory limit (process_resident_memory_bytes, open
 * files, CPU), the heap and non-heap against their maxima, GC time, threads and direct buffers.
 * The per-pool families (jvm_memory_pool_*: eden, survivor, tenured, metaspace, code heaps) are left
 * out: about 40 series a node that answer no question the area totals do not. The process_* families
 * are ExporterProcess's, the same as client_java's ProcessMetrics at a fraction of its cost a scrape.
 */
public final class ExporterMetrics implements MultiCollector {

    static final String POOL_PREFIX = "jvm_memory_pool_";

    private final PrometheusRegistry own = new PrometheusRegistry();

    private ExporterMetrics() {
        own.register(new ExporterProcess());
        JvmMemoryMetrics.builder().register(own);
        JvmGarbageCollectorMetrics.builder().register(own);
        JvmThreadsMetrics.builder().register(own);
        JvmBufferPoolMetrics.builder().register(own);
    }

    /** Adds process_* and jvm_* to {@code registry}. */
    public static void register(PrometheusRegistry registry) {
        registry.register(new ExporterMetrics());
    }

    @Override
    public MetricSnapshots collect() {
        return own.scrape(name -> !name.startsWith(POOL_PREFIX));
    }
}

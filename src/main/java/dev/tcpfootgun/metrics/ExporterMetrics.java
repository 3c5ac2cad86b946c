package dev.tcpfootgun.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The exporter's own process and JVM, through client_java's instrumentation module: what a
 * DaemonSet operator needs next to the pod's memory limit (process_resident_memory_bytes, open
 * files, CPU), the heap and non-heap against their maxima, GC time, threads and direct buffers.
 * The per-pool families (jvm_memory_pool_*: eden, survivor, tenured, metaspace, code heaps) are left
 * out: about 40 series a node that answer no question the area totals do not. The process_* families
 * are ExporterProcess's, the same as client_java's ProcessMetrics at a fraction of its cost a scrape;
 * the memory area, GC, thread and buffer pool families ExporterJvm's, the same as client_java's.
 */
public final class ExporterMetrics implements MultiCollector {

    /** The per-pool families client_java's JvmMemoryMetrics adds, which these are without. */
    static final String POOL_PREFIX = "jvm_memory_pool_";

    private final PrometheusRegistry own = new PrometheusRegistry();

    private ExporterMetrics() {
        own.register(new ExporterProcess());
        own.register(new ExporterJvm());
    }

    /** Adds process_* and jvm_* to {@code registry}. */
    public static void register(PrometheusRegistry registry) {
        registry.register(new ExporterMetrics());
    }

    @Override
    public MetricSnapshots collect() {
        return own.scrape();
    }
}

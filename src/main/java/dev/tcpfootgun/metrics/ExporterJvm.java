package dev.tcpfootgun.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The jvm_memory_* area families, jvm_gc_collection_seconds, jvm_threads_* and jvm_buffer_pool_* of
 * client_java's JvmMemoryMetrics, JvmGarbageCollectorMetrics, JvmThreadsMetrics and JvmBufferPoolMetrics: the same names, help, units,
 * labels and values, at a fraction of their cost a scrape. Theirs go through a callback per family that
 * builds and validates each point's labels anew and asks the memory bean for the heap's and non-heap's
 * usage once per family (four times each); here the labels and metadata are made once and each usage
 * is read once a scrape. The per-pool families are left out, as ExporterMetrics always did.
 */
final class ExporterJvm implements MultiCollector {

    private static final MetricMetadata PENDING = new MetricMetadata("jvm_memory_objects_pending_finalization",
            "The number of objects waiting in the finalizer queue.");
    private static final MetricMetadata USED = new MetricMetadata("jvm_memory_used_bytes",
            "Used bytes of a given JVM memory area.", Unit.BYTES);
    private static final MetricMetadata COMMITTED = new MetricMetadata("jvm_memory_committed_bytes",
            "Committed (bytes) of a given JVM memory area.", Unit.BYTES);
    private static final MetricMetadata MAX = new MetricMetadata("jvm_memory_max_bytes",
            "Max (bytes) of a given JVM memory area.", Unit.BYTES);
    private static final MetricMetadata INIT = new MetricMetadata("jvm_memory_init_bytes",
            "Initial bytes of a given JVM memory area.", Unit.BYTES);
    private static final MetricMetadata GC = new MetricMetadata("jvm_gc_collection_seconds",
            "Time spent in a given JVM garbage collector in seconds.", Unit.SECONDS);
    private static final MetricMetadata POOL_USED = new MetricMetadata("jvm_buffer_pool_used_bytes",
            "Used bytes of a given JVM buffer pool.", Unit.BYTES);
    private static final MetricMetadata POOL_CAPACITY = new MetricMetadata("jvm_buffer_pool_capacity_bytes",
            "Bytes capacity of a given JVM buffer pool.", Unit.BYTES);
    private static final MetricMetadata POOL_BUFFERS = new MetricMetadata("jvm_buffer_pool_used_buffers",
            "Used buffers of a given JVM buffer pool.");
    private static final MetricMetadata THREADS = new MetricMetadata("jvm_threads_current", "Current thread count of a JVM");
    private static final MetricMetadata DAEMON = new MetricMetadata("jvm_threads_daemon", "Daemon thread count of a JVM");
    private static final MetricMetadata PEAK = new MetricMetadata("jvm_threads_peak", "Peak thread count of a JVM");
    private static final MetricMetadata STARTED = new MetricMetadata("jvm_threads_started", "Started thread count of a JVM");
    private static final MetricMetadata DEADLOCKED = new MetricMetadata("jvm_threads_deadlocked",
            "Cycles of JVM-threads that are in deadlock waiting to acquire object monitors or ownable synchronizers");
    private static final MetricMetadata DEADLOCKED_MONITOR = new MetricMetadata("jvm_threads_deadlocked_monitor",
            "Cycles of JVM-threads that are in deadlock waiting to acquire object monitors");
    private static final MetricMetadata STATE = new MetricMetadata("jvm_threads_state", "Current count of threads by state");
    private static final Thread.State[] STATES = Thread.State.values();
    /** One per Thread.State, in its order, then UNKNOWN: the ids that are not a thread's (zero or less), as JvmThreadsMetrics counts them. */
    private static final Labels[] STATE_LABELS = stateLabels();
    private static final Labels HEAP = Labels.of("area", "heap");
    private static final Labels NONHEAP = Labels.of("area", "nonheap");

    private final MemoryMXBean memory;
    private final ThreadMXBean threads;
    private final List<GarbageCollectorMXBean> collectors;
    private final Labels[] collectorLabels;
    private final List<BufferPoolMXBean> pools;
    private final Labels[] poolLabels;

    ExporterJvm() {
        this(ManagementFactory.getMemoryMXBean(), ManagementFactory.getThreadMXBean(), ManagementFactory.getGarbageCollectorMXBeans(),
                ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class));
    }

    ExporterJvm(MemoryMXBean memory, ThreadMXBean threads, List<GarbageCollectorMXBean> collectors, List<BufferPoolMXBean> pools) {
        this.memory = memory;
        this.threads = threads;
        this.collectors = List.copyOf(collectors);
        this.collectorLabels = new Labels[collectors.size()];
        for (int i = 0; i < collectorLabels.length; i++) {
            collectorLabels[i] = Labels.of("gc", collectors.get(i).getName());
        }
        this.pools = List.copyOf(pools);
        this.poolLabels = new Labels[pools.size()];
        for (int i = 0; i < poolLabels.length; i++) {
            poolLabels[i] = Labels.of("pool", pools.get(i).getName());
        }
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>(16);
        out.add(gauge(PENDING, List.of(point(memory.getObjectPendingFinalizationCount(), Labels.EMPTY))));
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        out.add(gauge(USED, List.of(point(heap.getUsed(), HEAP), point(nonHeap.getUsed(), NONHEAP))));
        out.add(gauge(COMMITTED, List.of(point(heap.getCommitted(), HEAP), point(nonHeap.getCommitted(), NONHEAP))));
        out.add(gauge(MAX, List.of(point(heap.getMax(), HEAP), point(nonHeap.getMax(), NONHEAP))));
        out.add(gauge(INIT, List.of(point(heap.getInit(), HEAP), point(nonHeap.getInit(), NONHEAP))));

        List<SummaryDataPointSnapshot> gcs = new ArrayList<>(collectors.size());
        for (int i = 0; i < collectorLabels.length; i++) {
            GarbageCollectorMXBean gc = collectors.get(i);
            gcs.add(new SummaryDataPointSnapshot(gc.getCollectionCount(), Unit.millisToSeconds(gc.getCollectionTime()),
                    Quantiles.EMPTY, collectorLabels[i], Exemplars.EMPTY, 0L));
        }
        out.add(new SummarySnapshot(GC, gcs));

        out.add(gauge(THREADS, List.of(point(threads.getThreadCount(), Labels.EMPTY))));
        out.add(gauge(DAEMON, List.of(point(threads.getDaemonThreadCount(), Labels.EMPTY))));
        out.add(gauge(PEAK, List.of(point(threads.getPeakThreadCount(), Labels.EMPTY))));
        out.add(new CounterSnapshot(STARTED, List.of(
                new CounterSnapshot.CounterDataPointSnapshot(threads.getTotalStartedThreadCount(), Labels.EMPTY, null, 0L))));
        out.add(gauge(DEADLOCKED, List.of(point(length(threads.findDeadlockedThreads()), Labels.EMPTY))));
        out.add(gauge(DEADLOCKED_MONITOR, List.of(point(length(threads.findMonitorDeadlockedThreads()), Labels.EMPTY))));
        out.add(gauge(STATE, states()));

        List<GaugeDataPointSnapshot> used = new ArrayList<>(pools.size());
        List<GaugeDataPointSnapshot> capacity = new ArrayList<>(pools.size());
        List<GaugeDataPointSnapshot> buffers = new ArrayList<>(pools.size());
        for (int i = 0; i < poolLabels.length; i++) {
            BufferPoolMXBean pool = pools.get(i);
            used.add(point(pool.getMemoryUsed(), poolLabels[i]));
            capacity.add(point(pool.getTotalCapacity(), poolLabels[i]));
            buffers.add(point(pool.getCount(), poolLabels[i]));
        }
        out.add(gauge(POOL_USED, used));
        out.add(gauge(POOL_CAPACITY, capacity));
        out.add(gauge(POOL_BUFFERS, buffers));
        return new MetricSnapshots(out);
    }

    /** Threads by state as JvmThreadsMetrics counts them: a thread that ended between the two looks is in no state. */
    private List<GaugeDataPointSnapshot> states() {
        long[] ids = threads.getAllThreadIds();
        int valid = 0;
        for (long id : ids) {
            if (id > 0) {
                ids[valid++] = id;
            }
        }
        int unknown = ids.length - valid;
        int[] counts = new int[STATES.length];
        for (ThreadInfo info : threads.getThreadInfo(java.util.Arrays.copyOf(ids, valid), 0)) {
            if (info != null) {
                counts[info.getThreadState().ordinal()]++;
            }
        }
        List<GaugeDataPointSnapshot> points = new ArrayList<>(STATE_LABELS.length);
        for (int i = 0; i < STATES.length; i++) {
            points.add(point(counts[i], STATE_LABELS[i]));
        }
        points.add(point(unknown, STATE_LABELS[STATES.length]));
        return points;
    }

    private static Labels[] stateLabels() {
        Labels[] labels = new Labels[STATES.length + 1];
        for (int i = 0; i < STATES.length; i++) {
            labels[i] = Labels.of("state", STATES[i].name());
        }
        labels[STATES.length] = Labels.of("state", "UNKNOWN");
        return labels;
    }

    private static double length(long[] ids) {
        return ids == null ? 0 : ids.length;
    }

    private static GaugeSnapshot gauge(MetricMetadata m, List<GaugeDataPointSnapshot> points) {
        return new GaugeSnapshot(m, points);
    }

    private static GaugeDataPointSnapshot point(double value, Labels labels) {
        return new GaugeDataPointSnapshot(value, labels, null, 0L);
    }
}

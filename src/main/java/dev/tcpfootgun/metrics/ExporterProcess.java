package dev.tcpfootgun.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The process_* families of client_java's ProcessMetrics, the same names, help, units and values, at
 * a fraction of its cost a scrape: the MXBean getters called directly (ProcessMetrics looks each up by
 * reflection and throws an IllegalAccessException for each before it finds the interface's), and
 * /proc/self/status read once as bytes instead of twice through a UTF-8 reader.
 */
final class ExporterProcess implements MultiCollector {

    static final Path STATUS = Path.of("/proc/self/status");
    /** /proc/self/status is about 1.5 KiB; a longer one is read up to this and searched as far as it goes. */
    static final int STATUS_BOUND = 16 * 1024;

    private static final MetricMetadata CPU = new MetricMetadata("process_cpu_seconds",
            "Total user and system CPU time spent in seconds.", Unit.SECONDS);
    private static final MetricMetadata START = new MetricMetadata("process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.", Unit.SECONDS);
    private static final MetricMetadata OPEN_FDS = new MetricMetadata("process_open_fds", "Number of open file descriptors.");
    private static final MetricMetadata MAX_FDS = new MetricMetadata("process_max_fds", "Maximum number of open file descriptors.");
    private static final MetricMetadata VIRTUAL = new MetricMetadata("process_virtual_memory_bytes",
            "Virtual memory size in bytes.", Unit.BYTES);
    private static final MetricMetadata RESIDENT = new MetricMetadata("process_resident_memory_bytes",
            "Resident memory size in bytes.", Unit.BYTES);

    private final java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final double startSeconds = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
    /** As ProcessMetrics: the memory families only where /proc/self/status is readable (Linux). */
    private final boolean linux = Files.isReadable(STATUS);

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>(6);
        if (os instanceof com.sun.management.OperatingSystemMXBean cpu) {
            out.add(new CounterSnapshot(CPU, List.of(
                    new CounterSnapshot.CounterDataPointSnapshot(cpu.getProcessCpuTime() / 1e9, Labels.EMPTY, null, 0L))));
        }
        out.add(gauge(START, startSeconds));
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            out.add(gauge(OPEN_FDS, unix.getOpenFileDescriptorCount()));
            out.add(gauge(MAX_FDS, unix.getMaxFileDescriptorCount()));
        }
        if (linux) {
            String status = status();
            if (status != null) {
                addKilobytes(out, VIRTUAL, status, "VmSize:");
                addKilobytes(out, RESIDENT, status, "VmRSS:");
            }
        }
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot gauge(MetricMetadata m, double value) {
        return new GaugeSnapshot(m, List.of(new GaugeSnapshot.GaugeDataPointSnapshot(value, Labels.EMPTY, null)));
    }

    /** The file's text, or null when it cannot be read: then, as with ProcessMetrics, the memory families are left out. */
    static String status() {
        return status(STATUS);
    }

    /** The first {@link #STATUS_BOUND} bytes of {@code file}, or null when it cannot be read. */
    static String status(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            // 2 KiB first, doubling while reads fill it: readNBytes(16 KiB) allocated all 16 each scrape
            byte[] b = new byte[2048];
            int n = 0;
            for (int r; (r = in.read(b, n, b.length - n)) >= 0; ) {
                n += r;
                if (n == b.length) {
                    if (b.length >= STATUS_BOUND) {
                        break;
                    }
                    b = java.util.Arrays.copyOf(b, Math.min(STATUS_BOUND, b.length * 2));
                }
            }
            return new String(b, 0, n, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }

    /** The kB figure of the line starting with {@code key} ("VmRSS:\t   12345 kB") in bytes; nothing when absent. */
    static void addKilobytes(List<MetricSnapshot> out, MetricMetadata m, String status, String key) {
        double kb = kilobytes(status, key);
        if (!Double.isNaN(kb)) {
            out.add(gauge(m, kb * 1024));
        }
    }

    /** The number after {@code key} at the start of a line, or NaN when there is no such line or number. */
    static double kilobytes(String status, String key) {
        int i;
        if (status.startsWith(key)) {
            i = key.length();
        } else {
            int at = status.indexOf("\n" + key);
            if (at < 0) {
                return Double.NaN;
            }
            i = at + 1 + key.length();
        }
        while (i < status.length() && (status.charAt(i) == ' ' || status.charAt(i) == '\t')) {
            i++;
        }
        int start = i;
        while (i < status.length() && Character.isDigit(status.charAt(i))) {
            i++;
        }
        return i == start ? Double.NaN : Double.parseDouble(status.substring(start, i));
    }
}

package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.ExpositionText.text;
import static dev.tcpfootgun.metrics.ExpositionText.values;
import static dev.tcpfootgun.metrics.ExpositionText.withoutValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ExporterProcess against client_java's ProcessMetrics, which it replaces: the same exposition but for the values of the moment. */
class ExporterProcessTest {

    @Test
    void theSameFamiliesHelpTypesUnitsAndSeriesAsProcessMetricsInBothFormats() throws IOException {
        PrometheusRegistry theirs = theirs();
        PrometheusRegistry ours = ours();
        for (boolean openMetrics : List.of(false, true)) {
            String a = text(theirs.scrape(), openMetrics);
            String b = text(ours.scrape(), openMetrics);
            assertThat(withoutValues(b)).as(openMetrics ? "OpenMetrics" : "text").isEqualTo(withoutValues(a));
            assertThat(withoutValues(b)).contains("process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds_total");
        }
    }

    @Test
    void theValuesAgreeWithProcessMetrics() throws IOException {
        PrometheusRegistry theirs = theirs();
        PrometheusRegistry ours = ours();
        Map<String, Double> a = values(text(theirs.scrape(), false));
        Map<String, Double> b = values(text(ours.scrape(), false));
        assertThat(b.keySet()).containsExactlyElementsOf(a.keySet());
        assertThat(b.get("process_start_time_seconds")).isEqualTo(a.get("process_start_time_seconds"));
        assertThat(b.get("process_max_fds")).isEqualTo(a.get("process_max_fds"));
        assertThat(b.get("process_virtual_memory_bytes")).isGreaterThan(0);
        // read moments apart: the same within what a few allocations and a thread can move them
        assertThat(b.get("process_virtual_memory_bytes")).isCloseTo(a.get("process_virtual_memory_bytes"), within(64.0 * 1024 * 1024));
        assertThat(b.get("process_resident_memory_bytes")).isCloseTo(a.get("process_resident_memory_bytes"), within(32.0 * 1024 * 1024));
        assertThat(b.get("process_open_fds")).isCloseTo(a.get("process_open_fds"), within(16.0));
        assertThat(b.get("process_cpu_seconds_total")).isGreaterThanOrEqualTo(a.get("process_cpu_seconds_total"));
    }

    @Test
    void theStatusFileReadWholeWhateverItsLength() {
        // read twice, its figures move (VmRSS, context switches): every line must be there, to the last
        assertThat(keys(ExporterProcess.status())).isEqualTo(keys(readString())).contains("Name", "VmRSS", "VmSize");
        assertThat(ExporterProcess.status()).endsWith("\n");
    }

    @Test
    void aStatusLongerThanTheFirstBufferIsReadToItsBound(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        String groups = "Groups:\t" + "1234 ".repeat(1000) + "\n"; // a process in many groups: VmRSS 5 KB down
        String text = "Name:\tjava\n" + groups + "VmSize:\t  4000 kB\nVmRSS:\t  300 kB\n";
        java.nio.file.Path file = dir.resolve("status");
        Files.writeString(file, text);
        assertThat(ExporterProcess.status(file)).isEqualTo(text);
        assertThat(ExporterProcess.kilobytes(ExporterProcess.status(file), "VmRSS:")).isEqualTo(300);
        Files.writeString(file, "x".repeat(ExporterProcess.STATUS_BOUND + 100));
        assertThat(ExporterProcess.status(file)).hasSize(ExporterProcess.STATUS_BOUND);
        assertThat(ExporterProcess.status(dir.resolve("gone"))).isNull();
    }

    private static List<String> keys(String status) {
        return status.lines().map(l -> l.substring(0, Math.max(0, l.indexOf(':')))).toList();
    }

    private static String readString() {
        try {
            return Files.readString(ExporterProcess.STATUS, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void kilobytesOfTheLiveStatusFileAndOfLinesAnywhereInIt() throws IOException {
        String status = Files.readString(ExporterProcess.STATUS);
        String rss = status.lines().filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
        assertThat(ExporterProcess.kilobytes(status, "VmRSS:")).isEqualTo(Double.parseDouble(rss.split("\\s+")[1]));
        assertThat(ExporterProcess.kilobytes("VmSize:\t  123 kB\nVmRSS:\t 45 kB\n", "VmSize:")).isEqualTo(123);
        assertThat(ExporterProcess.kilobytes("VmSize:\t  123 kB\nVmRSS:\t 45 kB\n", "VmRSS:")).isEqualTo(45);
        // a key only inside another line, or without a number, is no value
        assertThat(ExporterProcess.kilobytes("Name: VmRSS: 5\n", "VmRSS:")).isNaN();
        assertThat(ExporterProcess.kilobytes("VmRSS:\t kB\n", "VmRSS:")).isNaN();
        assertThat(ExporterProcess.kilobytes("", "VmRSS:")).isNaN();
    }

    private static PrometheusRegistry theirs() {
        PrometheusRegistry r = new PrometheusRegistry();
        ProcessMetrics.builder().register(r);
        return r;
    }

    private static PrometheusRegistry ours() {
        PrometheusRegistry r = new PrometheusRegistry();
        r.register(new ExporterProcess());
        return r;
    }
}

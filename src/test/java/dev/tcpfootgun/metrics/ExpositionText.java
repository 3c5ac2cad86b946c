package dev.tcpfootgun.metrics;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Expositions as client_java writes them, for tests that compare our collectors with theirs. */
final class ExpositionText {
    private ExpositionText() {}

    static String text(MetricSnapshots s, boolean openMetrics) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (openMetrics) {
            OpenMetricsTextFormatWriter.create().write(out, s);
        } else {
            PrometheusTextFormatWriter.create().write(out, s);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Each line with the value of a series cut off: what must be byte for byte the same. */
    static String withoutValues(String exposition) {
        StringBuilder b = new StringBuilder();
        exposition.lines().forEach(l -> b.append(l.startsWith("#") ? l : l.substring(0, l.lastIndexOf(' '))).append('\n'));
        return b.toString();
    }

    /** Each series (its line without the value) to its value. */
    static Map<String, Double> values(String exposition) {
        Map<String, Double> m = new LinkedHashMap<>();
        exposition.lines().filter(l -> !l.startsWith("#"))
                .forEach(l -> m.put(l.substring(0, l.lastIndexOf(' ')), Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))));
        return m;
    }
}

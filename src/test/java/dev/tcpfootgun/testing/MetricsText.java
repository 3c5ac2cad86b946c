package dev.tcpfootgun.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The samples of a Prometheus text exposition, keyed by the series exactly as written
 * (name{labels}), for assertions on scraped output.
 */
public record MetricsText(String text, Map<String, Double> samples) {

    public static MetricsText parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = line.lastIndexOf('}');
            int space = line.indexOf(' ', end < 0 ? 0 : end);
            String series = line.substring(0, space);
            String value = line.substring(space + 1).trim();
            int ts = value.indexOf(' ');
            samples.put(series, Double.parseDouble(ts < 0 ? value : value.substring(0, ts)));
        }
        return new MetricsText(text, samples);
    }

    /** The value of the series with exactly these labels (any order; the exposition sorts them by name). */
    public OptionalDouble get(String name, String... labels) {
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        StringBuilder b = new StringBuilder(name);
        if (!sorted.isEmpty()) {
            b.append('{');
            sorted.forEach((k, v) -> b.append(b.charAt(b.length() - 1) == '{' ? "" : ",").append(k).append("=\"").append(v).append('"'));
            b.append('}');
        }
        Double v = samples.get(b.toString());
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    public boolean has(String namePrefix) {
        return samples.keySet().stream().anyMatch(k -> k.startsWith(namePrefix));
    }
}

package dev.tcpfootgun.web;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Go's time.ParseDuration reads them ("1s", "1m30s", "250ms", "1.5h"), which the toolkit's rate_limit uses. */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {}

    /** The duration, or null when the text is not one; "0" and "" are zero, as in Go. */
    static Duration parse(String text) {
        if (text.isEmpty() || text.equals("0")) {
            return Duration.ZERO;
        }
        if (text.matches("\\d+")) {
            // yaml.v2 reads a bare integer into a time.Duration as nanoseconds
            return Duration.ofNanos(Long.parseLong(text));
        }
        Matcher m = PART.matcher(text);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) {
                return null;
            }
            nanos = nanos.add(new BigDecimal(m.group(1).startsWith(".") ? "0" + m.group(1) : m.group(1))
                    .multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
            at = m.end();
        }
        return Duration.ofNanos(nanos.longValue());
    }
}

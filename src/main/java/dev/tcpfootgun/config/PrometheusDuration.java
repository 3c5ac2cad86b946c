package dev.tcpfootgun.config;

import java.time.Duration;
import java.util.Map;

/**
 * Durations as Prometheus writes them (prometheus/common model.ParseDuration): whole numbers with
 * the units y (365 days), w, d, h, m, s, ms, each at most once and from the largest down, as in
 * "1h30m", "500ms", "2d", "1w"; "0" alone is zero. No fractions, no spaces, no other units.
 */
public final class PrometheusDuration {

    /** Units by spelling; the order value says which may follow which (largest first). */
    private record Unit(int order, long millis) {}

    private static final Map<String, Unit> UNITS = Map.of(
            "y", new Unit(1, 365L * 24 * 3_600_000),
            "w", new Unit(2, 7L * 24 * 3_600_000),
            "d", new Unit(3, 24L * 3_600_000),
            "h", new Unit(4, 3_600_000),
            "m", new Unit(5, 60_000),
            "s", new Unit(6, 1_000),
            "ms", new Unit(7, 1));

    private PrometheusDuration() {}

    /** The duration {@code text} spells; IllegalArgumentException saying why when it spells none. */
    public static Duration parse(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        long total = 0;
        int lastOrder = 0;
        int i = 0;
        while (i < text.length()) {
            int digits = i;
            while (i < text.length() && Character.isDigit(text.charAt(i)) && text.charAt(i) < 128) {
                i++;
            }
            if (i == digits) {
                throw new IllegalArgumentException("not a duration like 1h30m, 10s or 500ms");
            }
            String number = text.substring(digits, i);
            int letters = i;
            while (i < text.length() && !Character.isDigit(text.charAt(i))) {
                i++;
            }
            String spelled = text.substring(letters, i);
            Unit unit = UNITS.get(spelled);
            if (unit == null) {
                throw new IllegalArgumentException(spelled.isEmpty() ? "a number without a unit (y, w, d, h, m, s or ms)"
                        : "unknown unit \"" + spelled + "\" (y, w, d, h, m, s or ms)");
            }
            if (unit.order() <= lastOrder) {
                throw new IllegalArgumentException("units must go from the largest to the smallest, each once");
            }
            lastOrder = unit.order();
            try {
                total = Math.addExact(total, Math.multiplyExact(Long.parseLong(number), unit.millis()));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("out of range");
            }
        }
        return Duration.ofMillis(total);
    }

    /** {@code d} as Prometheus prints it: "1h30m", "10s", "500ms", "0s". */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0s";
        }
        StringBuilder b = new StringBuilder();
        for (String spelled : new String[] {"y", "w", "d", "h", "m", "s", "ms"}) {
            long unit = UNITS.get(spelled).millis();
            if (ms >= unit) {
                b.append(ms / unit).append(spelled);
                ms %= unit;
            }
        }
        return b.toString();
    }
}

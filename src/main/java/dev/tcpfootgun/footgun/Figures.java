package dev.tcpfootgun.footgun;

import java.util.Locale;

/** Rates and durations as evidence prints them: decimal units for rates, like link rates. */
final class Figures {

    private Figures() {}

    static String rate(double bytesPerSecond) {
        String[] units = {"B/s", "kB/s", "MB/s", "GB/s", "TB/s"};
        double v = bytesPerSecond;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** A duration in microseconds as milliseconds, with a decimal when it is short. */
    static String millis(double micros) {
        double ms = micros / 1000;
        return String.format(Locale.ROOT, ms < 10 ? "%.2f ms" : "%.0f ms", ms);
    }
}

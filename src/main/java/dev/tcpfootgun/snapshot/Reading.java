package dev.tcpfootgun.snapshot;

import java.util.Optional;

/**
 * What one source produced in one snapshot: its value, or why it has none, and how long it took.
 * A failed source costs its own metrics and nothing else.
 *
 * @param collector the {@code collector} label of footgun_scrape_collector_*
 * @param value the parsed value, null when the source failed
 * @param error why the source failed, null on success
 * @param seconds wall time spent reading and parsing
 * @param skipped lines or messages the parser could not read and left out
 */
public record Reading<T>(String collector, T value, String error, double seconds, long skipped) {

    public static <T> Reading<T> ok(String collector, T value, double seconds, long skipped) {
        return new Reading<>(collector, value, null, seconds, skipped);
    }

    public static <T> Reading<T> failed(String collector, String error, double seconds) {
        return new Reading<>(collector, null, error, seconds, 0);
    }

    public boolean success() {
        return error == null;
    }

    public Optional<T> optional() {
        return Optional.ofNullable(value);
    }
}

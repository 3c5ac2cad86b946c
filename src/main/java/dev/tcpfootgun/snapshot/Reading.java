package dev.tcpfootgun.snapshot;

import java.util.Optional;
import java.util.function.Function;

/**
 * What one collector produced in one snapshot: a value ({@link State#OK}), or why it has none: the
 * kernel or this setting does not offer it ({@link State#ABSENT}, a documented state: no conntrack
 * module, a namespace not entered, a collector switched off) or reading it failed
 * ({@link State#FAILED}). The value is only reachable through an Optional, so a check cannot use
 * a missing one by mistake; {@link #reason()} says why it is missing, in the source's own words.
 */
public final class Reading<T> {

    public enum State { OK, ABSENT, FAILED }

    private final String collector;
    private final State state;
    private final T value;
    private final String reason;
    private final double seconds;
    private final long skipped;
    private final String firstSkip;

    private Reading(String collector, State state, T value, String reason, double seconds, long skipped, String firstSkip) {
        this.collector = collector;
        this.state = state;
        this.value = value;
        this.reason = reason;
        this.seconds = seconds;
        this.skipped = skipped;
        this.firstSkip = firstSkip;
    }

    /** @param skipped lines or messages the parser could not read and left out */
    public static <T> Reading<T> ok(String collector, T value, double seconds, long skipped) {
        return ok(collector, value, seconds, skipped, null);
    }

    /** @param firstSkip why the first of the {@code skipped} was left out, null when none was */
    public static <T> Reading<T> ok(String collector, T value, double seconds, long skipped, String firstSkip) {
        if (value == null) {
            throw new IllegalArgumentException(collector + ": an ok reading needs a value");
        }
        return new Reading<>(collector, State.OK, value, "", seconds, skipped, skipped > 0 ? firstSkip : null);
    }

    public static <T> Reading<T> absent(String collector, String reason, double seconds) {
        return new Reading<>(collector, State.ABSENT, null, reason, seconds, 0, null);
    }

    public static <T> Reading<T> failed(String collector, String reason, double seconds) {
        return new Reading<>(collector, State.FAILED, null, reason, seconds, 0, null);
    }

    /** The {@code collector} label of footgun_scrape_collector_*. */
    public String collector() {
        return collector;
    }

    public State state() {
        return state;
    }

    /** Whether the collector answered (footgun_scrape_collector_success 1). */
    public boolean success() {
        return state == State.OK;
    }

    /** The value; empty unless the reading succeeded (and, once released, also then). */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    public <R> Optional<R> map(Function<? super T, ? extends R> f) {
        return value().map(f);
    }

    /** Why there is no value ("" when there is one): the source's own words, to pass on into a finding. */
    public String reason() {
        return reason;
    }

    /** What a finding says is missing: the collector and its reason ("sysctl: permission denied: ..."); "" when ok. */
    public String problem() {
        return state == State.OK ? "" : collector + ": " + reason;
    }

    /** Wall time spent reading and parsing. */
    public double seconds() {
        return seconds;
    }

    /** Lines or messages the parser could not read and left out. */
    public long skipped() {
        return skipped;
    }

    /** Why the first skipped line, value or file was left out; null when nothing was. */
    public String firstSkip() {
        return firstSkip;
    }

    /**
     * This reading with its value let go but its outcome (state, time, skips) kept: what stays of a
     * judged namespace's sockets, and of the previous snapshot's.
     */
    public Reading<T> released() {
        return new Reading<>(collector, state, null, state == State.OK ? "not retained after judging" : reason, seconds, skipped, firstSkip);
    }

    @Override
    public String toString() {
        return collector + ": " + (state == State.OK ? "ok" : state.name().toLowerCase(java.util.Locale.ROOT) + " (" + reason + ")");
    }
}

package dev.tcpfootgun.snapshot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Everything read from one network namespace at one instant: one reading per collector switched
 * on, in the registry's order. Immutable; checks judge it and renderers draw it, neither reads the
 * kernel again. A collector switched off has no reading here: {@link #get} answers for it with an
 * absent one, and it is not among {@link #readings()} (so it has no success or duration series).
 *
 * @param monotonicNanos System.nanoTime() when the read started, for rates between snapshots
 */
public record NodeSnapshot(long monotonicNanos, Map<String, Reading<?>> byCollector) {

    public NodeSnapshot {
        byCollector = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byCollector));
    }

    /** A snapshot of these readings, keyed by their collector. */
    public static NodeSnapshot of(long monotonicNanos, Collection<? extends Reading<?>> readings) {
        Map<String, Reading<?>> m = new LinkedHashMap<>();
        for (Reading<?> r : readings) {
            m.put(r.collector(), r);
        }
        return new NodeSnapshot(monotonicNanos, m);
    }

    /** A snapshot where every one of these collectors failed for one reason: a namespace that could not be read at all. */
    public static NodeSnapshot failed(long monotonicNanos, Collection<String> collectors, String reason) {
        List<Reading<?>> readings = new ArrayList<>();
        for (String c : collectors) {
            readings.add(Reading.failed(c, reason, 0));
        }
        return of(monotonicNanos, readings);
    }

    /** The reading in this slot; absent, saying so, when its collector is switched off. */
    @SuppressWarnings("unchecked")
    public <T> Reading<T> get(Slot<T> slot) {
        Reading<?> r = byCollector.get(slot.name());
        return r != null ? (Reading<T>) r : Reading.absent(slot.name(), "collector " + slot.name()
                + " not read here: switched off (--no-collector." + slot.name() + "), or not read in this namespace or mode", 0);
    }

    public Reading<SocketTable> sockets() {
        return get(Slot.SOCKETS);
    }

    public Reading<Conntrack> conntrack() {
        return get(Slot.CONNTRACK);
    }

    public Reading<KernelCounters> netstat() {
        return get(Slot.NETSTAT);
    }

    public Reading<KernelCounters> snmp() {
        return get(Slot.SNMP);
    }

    public Reading<Sockstat> sockstat() {
        return get(Slot.SOCKSTAT);
    }

    public Reading<Sysctls> sysctls() {
        return get(Slot.SYSCTL);
    }

    public Reading<List<NetInterface>> interfaces() {
        return get(Slot.INTERFACES);
    }

    public Reading<List<Qdisc>> qdiscs() {
        return get(Slot.QDISC);
    }

    /** The conntrack table's entries aggregated (ctnetlink dump), read in the node's own namespace only. */
    public Reading<ConntrackEntries> conntrackEntries() {
        return get(Slot.CONNTRACK_ENTRIES);
    }

    /** Every reading of a collector switched on, for the per-collector success and duration metrics. */
    public List<Reading<?>> readings() {
        return List.copyOf(byCollector.values());
    }

    /** Seconds between an earlier snapshot and this one. */
    public double secondsSince(NodeSnapshot earlier) {
        return (monotonicNanos - earlier.monotonicNanos) / 1e9;
    }

    /** netstat and snmp counters looked up together: "TcpExt" lives in one, "Tcp" in the other. */
    public OptionalDouble counter(String section, String field) {
        OptionalDouble v = netstat().value().map(c -> c.get(section, field)).orElse(OptionalDouble.empty());
        if (v.isPresent()) {
            return v;
        }
        return snmp().value().map(c -> c.get(section, field)).orElse(OptionalDouble.empty());
    }

    /** Increase of a netstat/snmp counter since an earlier snapshot; empty without one or after a reset. */
    public OptionalDouble counterIncrease(NodeSnapshot earlier, String section, String field) {
        if (earlier == null) {
            return OptionalDouble.empty();
        }
        OptionalDouble now = counter(section, field);
        OptionalDouble then = earlier.counter(section, field);
        if (now.isEmpty() || then.isEmpty() || now.getAsDouble() < then.getAsDouble()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(now.getAsDouble() - then.getAsDouble());
    }

    /** This snapshot with another reading in that reading's slot: the node's sysctls, for a namespace whose own cannot be read. */
    public NodeSnapshot with(Reading<?> replaced) {
        Map<String, Reading<?>> m = new LinkedHashMap<>(byCollector);
        m.put(replaced.collector(), replaced);
        return new NodeSnapshot(monotonicNanos, m);
    }

    /**
     * This snapshot with its socket table released but the socket reading's outcome (state, time,
     * skips) kept: what is kept as "the previous snapshot" (rates need counters, and no per-socket
     * object should live from one scrape to the next), and for an observation whose census is
     * already counted (see Observation).
     */
    public NodeSnapshot withoutSockets() {
        Reading<?> s = byCollector.get(Slot.SOCKETS.name());
        if (s == null) {
            return this;
        }
        Map<String, Reading<?>> m = new LinkedHashMap<>(byCollector);
        m.put(Slot.SOCKETS.name(), s.released());
        return new NodeSnapshot(monotonicNanos, m);
    }
}

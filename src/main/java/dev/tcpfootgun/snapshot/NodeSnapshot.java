package dev.tcpfootgun.snapshot;

import java.util.List;
import java.util.OptionalDouble;

/**
 * Everything read from one network namespace at one instant. Immutable; checks judge it and
 * renderers draw it, neither reads the kernel again.
 *
 * @param monotonicNanos System.nanoTime() when the read started, for rates between snapshots
 * @param epochMillis wall-clock time of the read
 * @param socketSource which source served {@code sockets}: "netlink" or "procfs"
 * @param conntrackEntries the conntrack table's entries aggregated (ctnetlink dump); null when that
 *     collector is off
 */
public record NodeSnapshot(
        long monotonicNanos,
        long epochMillis,
        Reading<SocketTable> sockets,
        String socketSource,
        Reading<Conntrack> conntrack,
        Reading<KernelCounters> netstat,
        Reading<KernelCounters> snmp,
        Reading<Sockstat> sockstat,
        Reading<Sysctls> sysctls,
        Reading<List<NetInterface>> interfaces,
        Reading<List<Qdisc>> qdiscs,
        Reading<ConntrackEntries> conntrackEntries) {

    /** A snapshot without the conntrack dump (its collector off, or a namespace not entered). */
    public NodeSnapshot(long monotonicNanos, long epochMillis, Reading<SocketTable> sockets, String socketSource,
            Reading<Conntrack> conntrack, Reading<KernelCounters> netstat, Reading<KernelCounters> snmp,
            Reading<Sockstat> sockstat, Reading<Sysctls> sysctls, Reading<List<NetInterface>> interfaces,
            Reading<List<Qdisc>> qdiscs) {
        this(monotonicNanos, epochMillis, sockets, socketSource, conntrack, netstat, snmp, sockstat, sysctls, interfaces,
                qdiscs, null);
    }

    /** Every reading, for the per-collector success and duration metrics. */
    public List<Reading<?>> readings() {
        List<Reading<?>> all = List.of(sockets, conntrack, netstat, snmp, sockstat, sysctls, interfaces, qdiscs);
        if (conntrackEntries == null) {
            return all;
        }
        List<Reading<?>> with = new java.util.ArrayList<>(all);
        with.add(conntrackEntries);
        return with;
    }

    /** Seconds between an earlier snapshot and this one. */
    public double secondsSince(NodeSnapshot earlier) {
        return (monotonicNanos - earlier.monotonicNanos) / 1e9;
    }

    /** netstat and snmp counters looked up together: "TcpExt" lives in one, "Tcp" in the other. */
    public OptionalDouble counter(String section, String field) {
        OptionalDouble v = netstat.optional().map(c -> c.get(section, field))
                .orElse(OptionalDouble.empty());
        if (v.isPresent()) {
            return v;
        }
        return snmp.optional().map(c -> c.get(section, field)).orElse(OptionalDouble.empty());
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

    /**
     * This snapshot without its socket list, which is what is kept as "the previous snapshot": rates
     * need counters, and no per-socket object should live from one scrape to the next.
     */
    public NodeSnapshot withoutSockets() {
        return withSockets(new Reading<>(sockets.collector(), null,
                sockets.success() ? "not retained between reads" : sockets.error(), sockets.seconds(), sockets.skipped()));
    }

    /**
     * This snapshot with its socket table released but the socket reading's outcome (success, time,
     * skips) kept: for an observation whose census is already counted (see Observation).
     */
    public NodeSnapshot releasingSockets() {
        return withSockets(new Reading<>(sockets.collector(), null, sockets.error(), sockets.seconds(), sockets.skipped()));
    }

    /** This snapshot with another sysctl reading: the node's, for a namespace whose own cannot be read. */
    public NodeSnapshot withSysctls(Reading<Sysctls> replaced) {
        return new NodeSnapshot(monotonicNanos, epochMillis, sockets, socketSource, conntrack, netstat, snmp, sockstat,
                replaced, interfaces, qdiscs);
    }

    private NodeSnapshot withSockets(Reading<SocketTable> replaced) {
        return new NodeSnapshot(monotonicNanos, epochMillis, replaced, socketSource, conntrack, netstat, snmp, sockstat,
                sysctls, interfaces, qdiscs, conntrackEntries);
    }
}

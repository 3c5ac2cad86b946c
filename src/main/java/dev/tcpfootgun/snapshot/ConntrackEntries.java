package dev.tcpfootgun.snapshot;

import java.util.List;

/**
 * What the conntrack table of one network namespace holds, aggregated while a ctnetlink dump
 * streamed: the entries themselves were never kept, only these counts.
 *
 * @param entries entries the dump delivered and counted
 * @param partial why the dump stopped before the table's end (--collector.conntrack.dump-limit, the
 *     time bound, a second NLM_F_DUMP_INTR); null when it saw every entry
 * @param ungrouped entries counted in {@code states} but left out of a grouping because it already
 *     held its limit of distinct keys
 * @param states entries by protocol and state
 * @param timeWaitMaxRemainingSeconds the longest time left on a TCP TIME_WAIT entry; -1 without one
 * @param destinations entries per (protocol, original destination address, port), most first
 * @param sources entries per (destination, original source address), most first
 * @param natGroups per (protocol, translated source, destination address, port) of source-NATed
 *     entries: the NAT tuples held there, most held first
 * @param natPorts where the NAT port ranges came from
 */
public record ConntrackEntries(
        long entries,
        String partial,
        long ungrouped,
        List<StateCount> states,
        long timeWaitMaxRemainingSeconds,
        List<Destination> destinations,
        List<Source> sources,
        List<NatGroup> natGroups,
        NatPorts natPorts) {

    public ConntrackEntries {
        states = List.copyOf(states);
        destinations = List.copyOf(destinations);
        sources = List.copyOf(sources);
        natGroups = List.copyOf(natGroups);
    }

    /** @param state TCP: conntrack's state (time_wait...); other protocols: unreplied, replied or assured */
    public record StateCount(String protocol, String state, long entries) {}

    public record Destination(String protocol, String ip, int port, long entries) {}

    public record Source(String protocol, String dstIp, int dstPort, String srcIp, long entries) {}

    /**
     * @param held entries whose reply tuple lies on this (translated source, destination): each holds
     *     one source port there, NATed or not
     * @param natted those the NAT translated (IPS_SRC_NAT)
     * @param timeWait those in TCP TIME_WAIT or CLOSE: held for nf_conntrack_tcp_timeout_time_wait, though
     *     this kernel may take one over for a new TCP connection when the range is otherwise full
     * @param heldInRange those whose port lies in {@code range}: the ones that cost NAT a port
     * @param range the ports NAT may use here
     */
    public record NatGroup(String protocol, String srcIp, String dstIp, int dstPort, long held, long natted,
            long timeWait, long heldInRange, PortRange range) {

        public long usable() {
            return range.size();
        }

        public long free() {
            return Math.max(0, range.size() - heldInRange);
        }

        public double used() {
            return (double) heldInRange / range.size();
        }
    }

    public long count(String protocol, String state) {
        return states.stream().filter(s -> s.protocol().equals(protocol) && s.state().equals(state))
                .mapToLong(StateCount::entries).sum();
    }

    /** The sources of one destination, most entries first. */
    public List<Source> sourcesOf(String protocol, String ip, int port) {
        return sources.stream().filter(s -> s.protocol().equals(protocol) && s.dstIp().equals(ip) && s.dstPort() == port)
                .toList();
    }
}

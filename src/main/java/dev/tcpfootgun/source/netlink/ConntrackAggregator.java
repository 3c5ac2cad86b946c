package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.IpText;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.source.ParseLog;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Counts a ctnetlink dump as it streams: each entry is decoded into one reused scratch and added to
 * fixed-width tables, so memory follows the number of distinct destinations, not of entries.
 * Throws {@link Bound} from the sink when the entry or time bound is reached, which ends the dump.
 */
final class ConntrackAggregator implements MessageSink {
    /** The dump reached its bound; carries no stack, it is control flow out of the sink. */
    static final class Bound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Bound(String why) {
            super(why, null, false, false);
        }
    }

    static final int TCP_STATES = 10;
    private static final String[] TCP_STATE_NAMES = {"none", "syn_sent", "syn_recv", "established", "fin_wait",
        "close_wait", "last_ack", "time_wait", "close", "syn_sent2"};
    private static final int TCP_TIME_WAIT = 7;
    private static final int TCP_CLOSE = 8;
    private static final int UNREPLIED = TCP_STATES;
    private static final int REPLIED = TCP_STATES + 1;
    private static final int ASSURED = TCP_STATES + 2;
    private static final String[] OTHER_STATE_NAMES = {"unreplied", "replied", "assured"};

    // NAT table columns
    private static final int HELD = 0;
    private static final int NATTED = 1;
    private static final int TIME_WAIT = 2;
    private static final int IN_RANGE = 3;
    private static final int RANGE_LOW = 4;
    private static final int RANGE_HIGH = 5;

    private final ConntrackEntry e = new ConntrackEntry();
    private final byte[] key = new byte[TupleTable.KEY];
    /** Entries by protocol and state; a protocol's row made when its first entry comes (most of the 256 never do: 28 KiB a scrape). */
    private final long[][] states = new long[256][];
    private final TupleTable destinations;
    private final TupleTable sources;
    private final TupleTable nat;
    private final NatPorts natPorts;
    private final ParseLog log;
    private final long entryLimit;
    private final long deadlineNanos;
    private long entries;
    private long ungrouped;
    private long timeWaitMaxRemaining = -1;

    /**
     * @param distinctLimit distinct keys each grouping may hold
     * @param entryLimit entries after which the dump stops (partial)
     * @param deadlineNanos System.nanoTime() after which the dump stops (partial)
     */
    ConntrackAggregator(NatPorts natPorts, int distinctLimit, long entryLimit, long deadlineNanos, ParseLog log) {
        this.natPorts = natPorts;
        this.destinations = new TupleTable(1, distinctLimit);
        this.sources = new TupleTable(1, distinctLimit);
        this.nat = new TupleTable(6, distinctLimit);
        this.entryLimit = entryLimit;
        this.deadlineNanos = deadlineNanos;
        this.log = log;
    }

    long entries() {
        return entries;
    }

    /** Forgets everything counted: for a dump that must be repeated (NLM_F_DUMP_INTR). */
    void clear() {
        java.util.Arrays.fill(states, null);
        destinations.clear();
        sources.clear();
        nat.clear();
        entries = 0;
        ungrouped = 0;
        timeWaitMaxRemaining = -1;
    }

    @Override
    public void accept(MemorySegment message) {
        accept(message, 0, message.byteSize());
    }

    @Override
    public void accept(MemorySegment datagram, long offset, long length) {
        if (entries >= entryLimit) {
            throw new Bound("stopped at --collector.conntrack.dump-limit=" + entryLimit + " entries");
        }
        if ((entries & 255) == 255 && System.nanoTime() - deadlineNanos > 0) {
            throw new Bound("stopped after " + entries + " entries at the time bound");
        }
        String bad = e.decode(datagram, offset, length);
        if (bad != null) {
            log.skip(bad);
            return;
        }
        entries++;
        boolean grouped = true;
        int state;
        if (e.protocol == ConntrackEntry.IPPROTO_TCP && e.tcpState >= 0 && e.tcpState < TCP_STATES) {
            state = e.tcpState;
            if (state == TCP_TIME_WAIT && e.timeout > timeWaitMaxRemaining) {
                timeWaitMaxRemaining = e.timeout;
            }
        } else if ((e.status & ConntrackEntry.IPS_ASSURED) != 0) {
            state = ASSURED;
        } else {
            state = (e.status & ConntrackEntry.IPS_SEEN_REPLY) != 0 ? REPLIED : UNREPLIED;
        }
        long[] row = states[e.protocol];
        if (row == null) {
            row = states[e.protocol] = new long[TCP_STATES + 3];
        }
        row[state]++;

        keyOf(e.origDst, e.origDstPort, null, 0);
        int d = destinations.id(key);
        grouped &= d >= 0;
        if (d >= 0) {
            destinations.add(d, 0, 1);
        }
        keyOf(e.origDst, e.origDstPort, e.origSrc, 0);
        int s = sources.id(key);
        grouped &= s >= 0;
        if (s >= 0) {
            sources.add(s, 0, 1);
        }
        // the reply tuple's destination is the (translated) source the server sees: every entry
        // there holds a port, NATed or not
        keyOf(e.replySrc, e.replySrcPort, e.replyDst, 0);
        // only protocols with ports have NAT port groups (ICMP's ids are left out)
        int n = hasPorts(e.protocol) ? nat.id(key) : -2;
        grouped &= n != -1;
        if (n >= 0) {
            if (nat.get(n, RANGE_HIGH) == 0) {
                PortRange r = natPorts.rangeFor(text(e.replyDst), e.protocol);
                nat.add(n, RANGE_LOW, r.low());
                nat.add(n, RANGE_HIGH, r.high());
            }
            nat.add(n, HELD, 1);
            if (e.sourceNat()) {
                nat.add(n, NATTED, 1);
            }
            if (e.protocol == ConntrackEntry.IPPROTO_TCP && (e.tcpState == TCP_TIME_WAIT || e.tcpState == TCP_CLOSE)) {
                nat.add(n, TIME_WAIT, 1);
            }
            if (e.replyDstPort >= nat.get(n, RANGE_LOW) && e.replyDstPort <= nat.get(n, RANGE_HIGH)) {
                nat.add(n, IN_RANGE, 1);
            }
        }
        if (!grouped) {
            ungrouped++;
        }
    }

    private static boolean hasPorts(int protocol) {
        return protocol == 6 || protocol == 17 || protocol == 33 || protocol == 132 || protocol == 136;
    }

    /** key: protocol, family, port A, address A (16), address B (16), port B. */
    private void keyOf(byte[] a, int portA, byte[] b, int portB) {
        java.util.Arrays.fill(key, (byte) 0);
        key[0] = (byte) e.protocol;
        key[1] = (byte) e.family;
        key[2] = (byte) (portA >>> 8);
        key[3] = (byte) portA;
        System.arraycopy(a, 0, key, 4, e.addressLength);
        if (b != null) {
            System.arraycopy(b, 0, key, 20, e.addressLength);
        }
        key[36] = (byte) (portB >>> 8);
        key[37] = (byte) portB;
    }

    private String text(byte[] address) {
        return address(address, 0, e.addressLength == 16);
    }

    private static String address(byte[] b, int at, boolean v6) {
        if (!v6) {
            return IpText.ipv4(beInt(b, at));
        }
        long hi = (long) beInt(b, at) << 32 | Integer.toUnsignedLong(beInt(b, at + 4));
        long lo = (long) beInt(b, at + 8) << 32 | Integer.toUnsignedLong(beInt(b, at + 12));
        return IpText.ipv6(hi, lo);
    }

    private static int beInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static String protocolName(int p) {
        return switch (p) {
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 33 -> "dccp";
            case 47 -> "gre";
            case 58 -> "icmpv6";
            case 132 -> "sctp";
            case 136 -> "udplite";
            default -> Integer.toString(p);
        };
    }

    /** The aggregates; {@code partial} is why the dump stopped early, or null. */
    ConntrackEntries result(String partial) {
        List<ConntrackEntries.StateCount> stateCounts = new ArrayList<>();
        for (int p = 0; p < 256; p++) {
            for (int st = 0; states[p] != null && st < TCP_STATES + 3; st++) {
                if (states[p][st] > 0) {
                    String name = st < TCP_STATES ? TCP_STATE_NAMES[st] : OTHER_STATE_NAMES[st - TCP_STATES];
                    stateCounts.add(new ConntrackEntries.StateCount(protocolName(p), name, states[p][st]));
                }
            }
        }
        byte[] k = new byte[TupleTable.KEY];
        List<ConntrackEntries.Destination> dst = new ArrayList<>(destinations.size());
        for (int id = 0; id < destinations.size(); id++) {
            destinations.key(id, k);
            dst.add(new ConntrackEntries.Destination(protocolName(k[0] & 0xff), address(k, 4, k[1] == 10), port(k, 2),
                    destinations.get(id, 0)));
        }
        dst.sort(Comparator.comparingLong(ConntrackEntries.Destination::entries).reversed());
        List<ConntrackEntries.Source> src = new ArrayList<>(sources.size());
        for (int id = 0; id < sources.size(); id++) {
            sources.key(id, k);
            boolean v6 = k[1] == 10;
            src.add(new ConntrackEntries.Source(protocolName(k[0] & 0xff), address(k, 4, v6), port(k, 2),
                    address(k, 20, v6), sources.get(id, 0)));
        }
        src.sort(Comparator.comparingLong(ConntrackEntries.Source::entries).reversed());
        List<ConntrackEntries.NatGroup> groups = new ArrayList<>();
        for (int id = 0; id < nat.size(); id++) {
            if (nat.get(id, NATTED) == 0) {
                continue; // no NAT here: a local connection's own group, not a NAT source
            }
            nat.key(id, k);
            boolean v6 = k[1] == 10;
            groups.add(new ConntrackEntries.NatGroup(protocolName(k[0] & 0xff), address(k, 20, v6), address(k, 4, v6),
                    port(k, 2), nat.get(id, HELD), nat.get(id, NATTED), nat.get(id, TIME_WAIT), nat.get(id, IN_RANGE),
                    new PortRange((int) nat.get(id, RANGE_LOW), (int) nat.get(id, RANGE_HIGH))));
        }
        groups.sort(Comparator.comparingDouble(ConntrackEntries.NatGroup::used).reversed()
                .thenComparing(Comparator.comparingLong(ConntrackEntries.NatGroup::heldInRange).reversed()));
        return new ConntrackEntries(entries, partial, ungrouped, stateCounts, timeWaitMaxRemaining, dst, src, groups, natPorts);
    }

    private static int port(byte[] k, int at) {
        return (k[at] & 0xff) << 8 | (k[at + 1] & 0xff);
    }
}

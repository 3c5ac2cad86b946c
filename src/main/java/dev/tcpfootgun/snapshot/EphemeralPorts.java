package dev.tcpfootgun.snapshot;

import java.util.BitSet;
import java.util.List;

/**
 * The ports connect() may pick: net.ipv4.ip_local_port_range minus net.ipv4.ip_local_reserved_ports.
 * The kernel uses the same range for IPv4 and IPv6.
 */
public record EphemeralPorts(PortRange range, List<PortRange> reserved) {

    public EphemeralPorts {
        reserved = List.copyOf(reserved);
    }

    /** Number of ports in the range that are not reserved. */
    public int usable() {
        return range.size() - reservedInRange();
    }

    /** Number of reserved ports that fall inside the range (reserved lists may overlap). */
    public int reservedInRange() {
        BitSet bits = new BitSet(65536);
        for (PortRange r : reserved) {
            int lo = Math.max(r.low(), range.low());
            int hi = Math.min(r.high(), range.high());
            if (lo <= hi) {
                bits.set(lo, hi + 1);
            }
        }
        return bits.cardinality();
    }

    /**
     * {@link #isEphemeral} for every port 0..65535 at once: what a pass over every socket looks its
     * ports up in, one array read each instead of a walk of the reserved ranges. Shared with every
     * caller asking for an equal range (each scrape reads the same sysctls), so never written to.
     */
    public boolean[] mask() {
        Mask last = lastMask;
        if (last != null && (last.ports == this || last.ports.sameAs(this))) {
            return last.mask;
        }
        boolean[] mask = new boolean[65536];
        java.util.Arrays.fill(mask, range.low(), range.high() + 1, true);
        for (PortRange r : reserved) {
            int lo = Math.max(r.low(), range.low());
            int hi = Math.min(r.high(), range.high());
            if (lo <= hi) {
                java.util.Arrays.fill(mask, lo, hi + 1, false);
            }
        }
        lastMask = new Mask(this, mask);
        return mask;
    }

    /** Equal ranges and reserved lists, compared field by field (a record's equals is a method-handle chain under C1). */
    private boolean sameAs(EphemeralPorts o) {
        if (!same(range, o.range) || reserved.size() != o.reserved.size()) {
            return false;
        }
        for (int i = 0; i < reserved.size(); i++) {
            if (!same(reserved.get(i), o.reserved.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(PortRange a, PortRange b) {
        return a.low() == b.low() && a.high() == b.high();
    }

    /** The last mask made: 64 KiB a census, allocated and filled a few times every scrape, made once instead. */
    private static volatile Mask lastMask;

    private record Mask(EphemeralPorts ports, boolean[] mask) {}

    /** True when connect() could have chosen this local port. */
    public boolean isEphemeral(int port) {
        if (!range.contains(port)) {
            return false;
        }
        // by index: called once per socket, and an iterator per call is 100,000 objects a scrape
        for (int i = 0; i < reserved.size(); i++) {
            if (reserved.get(i).contains(port)) {
                return false;
            }
        }
        return true;
    }
}

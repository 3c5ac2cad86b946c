package dev.tcpfootgun.config;

import dev.tcpfootgun.snapshot.PortRange;

/**
 * The conntrack dump's flags: --[no-]collector.conntrack_entries, --collector.conntrack.dump-limit and
 * --collector.conntrack.nat-port-range.
 *
 * @param enabled whether the table is dumped at all
 * @param entryLimit entries after which a dump stops and says it is partial
 * @param natPortRange the ports NAT may use, for nodes whose NAT rules cannot be read (iptables-legacy,
 *     or rules that do not name the range); null to read them from the ruleset
 */
public record ConntrackDumpSettings(boolean enabled, int entryLimit, PortRange natPortRange) {

    /** Four times Kubernetes' usual nf_conntrack_max: a whole real table, but not an unbounded one. */
    public static final int DEFAULT_ENTRY_LIMIT = 1 << 22;

    public static ConntrackDumpSettings defaults() {
        return new ConntrackDumpSettings(true, DEFAULT_ENTRY_LIMIT, null);
    }

    ConntrackDumpSettings withEnabled(boolean on) {
        return new ConntrackDumpSettings(on, entryLimit, natPortRange);
    }

    ConntrackDumpSettings withEntryLimit(int limit) {
        return new ConntrackDumpSettings(enabled, limit, natPortRange);
    }

    /** Parses LOW-HIGH (as ip_local_port_range and --to-ports write it, with a dash or a colon). */
    ConntrackDumpSettings withNatPortRange(String name, String value) throws BadFlagException {
        String[] parts = value.split("[-:]", -1);
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            int low = Integer.parseInt(parts[0].strip());
            int high = Integer.parseInt(parts[1].strip());
            if (low < 1 || high > 65535 || low > high) {
                throw new BadFlagException(name + ": " + value + " is not a port range within 1-65535 with low <= high");
            }
            return new ConntrackDumpSettings(enabled, entryLimit, new PortRange(low, high));
        } catch (NumberFormatException e) {
            throw new BadFlagException(name + ": \"" + value + "\" is not a port range like 1024-65535");
        }
    }
}

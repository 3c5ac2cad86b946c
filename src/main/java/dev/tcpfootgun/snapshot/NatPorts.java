package dev.tcpfootgun.snapshot;

import java.util.List;

/**
 * Where the ports NAT may use came from, and which rules said so.
 *
 * @param origin "nftables" (read from the ruleset over nfnetlink), "flag" (--collector.conntrack.nat-port-range),
 *     or "default" (neither: the kernel's 1024-65535 is assumed)
 * @param rules the source-NAT rules read; empty unless the origin is nftables
 * @param flagRange the flag's range; null when the flag is not set
 * @param unreadable why the ruleset could not be read; null when it was
 */
public record NatPorts(String origin, List<NatRule> rules, PortRange flagRange, String unreadable) {

    public NatPorts {
        rules = List.copyOf(rules);
    }

    /**
     * The ports NAT may pick for a connection of IP protocol {@code protocol} translated to
     * {@code translatedIp}, among the rules for that protocol: the flag's when set
     * (it overrides what was read), else the snat rule for that address, else the narrowest
     * masquerade rule (masquerade takes the interface's address, which the rule does not name), else
     * the kernel's default.
     */
    public PortRange rangeFor(String translatedIp, int protocol) {
        if (flagRange != null) {
            return flagRange;
        }
        PortRange masquerade = null;
        for (NatRule r : rules) {
            if (!r.matchesProtocol(protocol)) {
                continue;
            }
            if (r.kind().equals("snat") && r.addressLow() != null && r.translatesTo(translatedIp)) {
                return r.usablePorts();
            }
            if (r.kind().equals("masquerade") && (masquerade == null || r.usablePorts().size() < masquerade.size())) {
                masquerade = r.usablePorts();
            }
        }
        return masquerade != null ? masquerade : NatRule.KERNEL_DEFAULT_PORTS;
    }
}

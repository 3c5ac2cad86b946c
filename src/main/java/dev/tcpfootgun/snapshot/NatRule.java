package dev.tcpfootgun.snapshot;

/**
 * One source-NAT rule of the node, as its nf_tables expression says (iptables-nft's MASQUERADE and
 * SNAT targets, or native nft masquerade/snat).
 *
 * @param kind "masquerade" (the outgoing interface's address) or "snat" (a fixed address)
 * @param addressLow the first translated address for snat; null for masquerade or when not given
 * @param addressHigh the last translated address for snat; null as above
 * @param ports the source ports the rule may use; null when it names none (the kernel's default)
 * @param randomFully --random-fully / fully-random: every connection gets a random port
 * @param where family, table and chain, for evidence ("ip nat POSTROUTING")
 * @param protocol the IP protocol the rule matches (meta l4proto, as -p writes it); -1 for any
 */
public record NatRule(String kind, String addressLow, String addressHigh, PortRange ports, boolean randomFully,
        String where, int protocol) {

    /**
     * The ports NAT picks from when a rule names none (nf_nat_l4proto_unique_tuple, measured here):
     * a port at or above 1024 is replaced by one of 1024-65535, so that is the space client ports share.
     */
    public static final PortRange KERNEL_DEFAULT_PORTS = new PortRange(1024, 65535);

    /** The ports this rule lets NAT use for unprivileged client ports. */
    public PortRange usablePorts() {
        return ports != null ? ports : KERNEL_DEFAULT_PORTS;
    }

    /** Whether this rule applies to connections of IP protocol {@code p}. */
    public boolean matchesProtocol(int p) {
        return protocol < 0 || protocol == p;
    }

    /** Whether this snat rule's address range holds {@code ip}. */
    public boolean translatesTo(String ip) {
        if (addressLow == null) {
            return false;
        }
        try {
            byte[] a = java.net.InetAddress.ofLiteral(ip).getAddress();
            byte[] lo = java.net.InetAddress.ofLiteral(addressLow).getAddress();
            byte[] hi = java.net.InetAddress.ofLiteral(addressHigh == null ? addressLow : addressHigh).getAddress();
            return a.length == lo.length && java.util.Arrays.compareUnsigned(a, lo) >= 0
                    && java.util.Arrays.compareUnsigned(a, hi) <= 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * NAT rules from captured NFT_MSG_GETRULE dumps (ConntrackCapture): iptables-nft's MASQUERADE and
 * SNAT targets (x_tables range structs inside nf_tables), and native nft masquerade/snat whose
 * ranges come from immediate-loaded registers; nft list ruleset of the same moment is beside them.
 */
class NftNatRulesTest {
    static final String OUT = "sn5086as0";

    @Test
    void iptablesNftTargetsCarryTheirRanges() {
        List<NatRule> rules = ConntrackDumpTest.decodeRules("nft_rules_iptables.bin");
        assertThat(rules).containsExactly(
                new NatRule("masquerade", null, null, new PortRange(40000, 40099), false, "ip nat POSTROUTING", 6),
                new NatRule("masquerade", null, null, null, true, "ip nat POSTROUTING", 17),
                new NatRule("snat", "10.77.2.1", "10.77.2.1", new PortRange(1000, 2000), false, "ip nat POSTROUTING", 1),
                new NatRule("masquerade", null, null, null, false, "ip6 nat POSTROUTING", -1));
    }

    @Test
    void nativeNftExpressionsReadTheirRegisters() {
        List<NatRule> rules = ConntrackDumpTest.decodeRules("nft_rules_native.bin");
        assertThat(rules).hasSize(7).contains(
                new NatRule("masquerade", null, null, new PortRange(50000, 50099), true, "ip fgnat post", 6),
                new NatRule("snat", "10.77.2.1", "10.77.2.1", new PortRange(3000, 3999), false, "ip fgnat post", 17),
                new NatRule("snat", "fd77:2::1", "fd77:2::1", new PortRange(4000, 4999), false, "ip6 fgnat6 post", 17));
    }

    @Test
    void aGroupTakesTheRangeOfItsProtocolsRuleAndTheFlagOverridesAll() {
        NatPorts read = new NatPorts("nftables", ConntrackDumpTest.decodeRules("nft_rules_native.bin"), null, null);
        // snat to this address for udp wins over masquerade; tcp takes the narrowest masquerade for tcp
        assertThat(read.rangeFor("10.77.2.1", 17)).isEqualTo(new PortRange(3000, 3999));
        assertThat(read.rangeFor("10.77.2.1", 6)).isEqualTo(new PortRange(40000, 40099));
        assertThat(read.rangeFor("fd77:2::1", 17)).isEqualTo(new PortRange(4000, 4999));
        assertThat(read.rangeFor("192.0.2.1", 132)).isEqualTo(NatRule.KERNEL_DEFAULT_PORTS);
        NatPorts flag = new NatPorts("flag", List.of(), new PortRange(20000, 20999), "EPERM");
        assertThat(flag.rangeFor("10.77.2.1", 6)).isEqualTo(new PortRange(20000, 20999));
        NatPorts none = new NatPorts("default", List.of(), null, "EPERM");
        assertThat(none.rangeFor("10.77.2.1", 6)).isEqualTo(NatRule.KERNEL_DEFAULT_PORTS);
    }
}

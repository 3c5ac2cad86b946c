package dev.tcpfootgun.source.netlink;

import dev.tcpfootgun.snapshot.IpText;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's source-NAT rules from the nf_tables ruleset (NFT_MSG_GETRULE dump over nfnetlink), for
 * the port ranges conntrack does not show. Understands both forms a rule takes: native nft
 * {@code masq} / {@code nat} expressions, whose ports and addresses come from registers loaded by
 * {@code immediate} expressions, and iptables-nft's compat {@code target} expressions (MASQUERADE,
 * SNAT) that carry the x_tables range struct. Rules of iptables-legacy live in x_tables, not
 * nf_tables, and are not seen here. Numbers are from include/uapi/linux/netfilter/nf_tables.h.
 */
public final class NftNatRules {
    private static final int NFNL_SUBSYS_NFTABLES = 10;
    static final int GETRULE = NFNL_SUBSYS_NFTABLES << 8 | 7;
    static final int NEWRULE = NFNL_SUBSYS_NFTABLES << 8 | 6;
    private static final int NFGENMSG_SIZE = 4;

    private static final int NFTA_RULE_TABLE = 1;
    private static final int NFTA_RULE_CHAIN = 2;
    private static final int NFTA_RULE_EXPRESSIONS = 4;
    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_EXPR_NAME = 1;
    private static final int NFTA_EXPR_DATA = 2;
    private static final int NFTA_IMMEDIATE_DREG = 1;
    private static final int NFTA_IMMEDIATE_DATA = 2;
    private static final int NFTA_DATA_VALUE = 1;
    private static final int NFTA_MASQ_FLAGS = 1;
    private static final int NFTA_MASQ_REG_PROTO_MIN = 2;
    private static final int NFTA_MASQ_REG_PROTO_MAX = 3;
    private static final int NFTA_NAT_TYPE = 1;
    private static final int NFTA_NAT_FAMILY = 2;
    private static final int NFTA_NAT_REG_ADDR_MIN = 3;
    private static final int NFTA_NAT_REG_ADDR_MAX = 4;
    private static final int NFTA_NAT_REG_PROTO_MIN = 5;
    private static final int NFTA_NAT_REG_PROTO_MAX = 6;
    private static final int NFTA_NAT_FLAGS = 7;
    private static final int NFT_NAT_SNAT = 0;
    private static final int NFTA_META_DREG = 1;
    private static final int NFTA_META_KEY = 2;
    private static final int NFT_META_L4PROTO = 16;
    private static final int NFTA_CMP_SREG = 1;
    private static final int NFTA_CMP_OP = 2;
    private static final int NFTA_CMP_DATA = 3;
    private static final int NFT_CMP_EQ = 0;
    private static final int NFTA_TARGET_NAME = 1;
    private static final int NFTA_TARGET_REV = 2;
    private static final int NFTA_TARGET_INFO = 3;

    /** enum nf_nat_range_flags (include/uapi/linux/netfilter/nf_nat.h). */
    private static final int NF_NAT_RANGE_MAP_IPS = 1;
    private static final int NF_NAT_RANGE_PROTO_SPECIFIED = 2;
    private static final int NF_NAT_RANGE_PROTO_RANDOM_FULLY = 16;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final ValueLayout.OfInt HOST32 = ValueLayout.JAVA_INT_UNALIGNED;

    private final Duration timeout;
    private final NetlinkTransport transport;

    public NftNatRules(Duration timeout) {
        this(timeout, NetlinkTransport.KERNEL);
    }

    public NftNatRules(Duration timeout, NetlinkTransport transport) {
        this.timeout = timeout;
        this.transport = transport;
    }

    /** Every source-NAT rule of this network namespace's nf_tables ruleset, every family. */
    public List<NatRule> read(ParseLog log) throws IOException {
        List<NatRule> rules = new ArrayList<>();
        try (NetlinkTransport.Channel socket = transport.open(NetlinkSocket.NETLINK_NETFILTER, timeout)) {
            NetlinkDumps.dumpWithRetry(socket, GETRULE, new byte[NFGENMSG_SIZE], NetlinkDumps.truncateTo(rules),
                    m -> rule(m, rules, log), log, "nf_tables rules");
        }
        return rules;
    }

    /** Decodes a captured NFT_MSG_GETRULE reply. */
    public static List<NatRule> decode(MemorySegment messages, ParseLog log) throws IOException {
        List<NatRule> rules = new ArrayList<>();
        NetlinkMessages.walk(messages, NetlinkMessages.ANY_SEQ, "nf_tables replay", m -> rule(m, rules, log));
        return rules;
    }

    private static void rule(MemorySegment m, List<NatRule> out, ParseLog log) {
        if (NetlinkMessages.type(m) != NEWRULE || m.byteSize() < NetlinkMessages.HEADER + NFGENMSG_SIZE) {
            log.skip("nf_tables: unexpected message type " + NetlinkMessages.type(m));
            return;
        }
        int family = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, NetlinkMessages.HEADER));
        long attrs = NetlinkMessages.HEADER + NFGENMSG_SIZE;
        String table = RtAttributes.string(m, attrs, NFTA_RULE_TABLE);
        String chain = RtAttributes.string(m, attrs, NFTA_RULE_CHAIN);
        long exprs = RtAttributes.find(m, attrs, m.byteSize(), NFTA_RULE_EXPRESSIONS);
        if (exprs == RtAttributes.ABSENT) {
            return;
        }
        String where = familyName(family) + " " + table + " " + chain;
        byte[] registers = new byte[16 * 4];
        // the register meta l4proto was loaded into, and the protocol a cmp then required
        int[] l4proto = {-1, -1};
        long end = exprs + Nlattr.length(m, exprs);
        for (long e = exprs + Nlattr.HEADER; e + Nlattr.HEADER <= end; ) {
            int len = Nlattr.length(m, e);
            if (len < Nlattr.HEADER || e + len > end) {
                log.skip("nf_tables: expression length " + len + " overruns its rule in " + where);
                return;
            }
            if (Nlattr.type(m, e) == NFTA_LIST_ELEM) {
                long p = e + Nlattr.HEADER;
                long pend = e + len;
                String name = stringIn(m, p, pend, NFTA_EXPR_NAME);
                long data = RtAttributes.find(m, p, pend, NFTA_EXPR_DATA);
                if (name != null && data != RtAttributes.ABSENT) {
                    long d = data + Nlattr.HEADER;
                    long dend = data + Nlattr.length(m, data);
                    NatRule r = switch (name) {
                        case "immediate" -> {
                            immediate(m, d, dend, registers);
                            yield null;
                        }
                        case "meta" -> {
                            if (be32In(m, d, dend, NFTA_META_KEY) == NFT_META_L4PROTO) {
                                l4proto[0] = (int) be32In(m, d, dend, NFTA_META_DREG);
                            }
                            yield null;
                        }
                        case "cmp" -> {
                            cmp(m, d, dend, l4proto);
                            yield null;
                        }
                        case "payload", "ct", "bitwise" -> {
                            l4proto[0] = -1; // the register may now hold something else (a port, a mark)
                            yield null;
                        }
                        case "masq" -> masq(m, d, dend, registers, where, l4proto[1]);
                        case "nat" -> nat(m, d, dend, registers, family, where, l4proto[1]);
                        case "target" -> target(m, d, dend, family, where, l4proto[1]);
                        default -> null;
                    };
                    if (r != null) {
                        out.add(r);
                    }
                }
            }
            e += Nlattr.align(len);
        }
    }

    /** A cmp eq on the register that holds meta l4proto: the rule's protocol (iptables' -p, nft's meta l4proto). */
    private static void cmp(MemorySegment m, long d, long end, int[] l4proto) {
        if (l4proto[0] < 0 || be32In(m, d, end, NFTA_CMP_SREG) != l4proto[0] || be32In(m, d, end, NFTA_CMP_OP) != NFT_CMP_EQ) {
            return;
        }
        long data = RtAttributes.find(m, d, end, NFTA_CMP_DATA);
        if (data == RtAttributes.ABSENT) {
            return;
        }
        long value = RtAttributes.find(m, data + Nlattr.HEADER, data + Nlattr.length(m, data), NFTA_DATA_VALUE);
        if (value != RtAttributes.ABSENT && Nlattr.length(m, value) > Nlattr.HEADER) {
            l4proto[1] = Byte.toUnsignedInt(m.get(ValueLayout.JAVA_BYTE, value + Nlattr.HEADER));
            l4proto[0] = -1; // compared once; later loads reuse the register
        }
    }

    private static void immediate(MemorySegment m, long d, long end, byte[] registers) {
        long dreg = be32In(m, d, end, NFTA_IMMEDIATE_DREG);
        long data = RtAttributes.find(m, d, end, NFTA_IMMEDIATE_DATA);
        int unit = unit(dreg);
        if (unit < 0 || data == RtAttributes.ABSENT) {
            return; // a verdict (register 0), not data
        }
        long value = RtAttributes.find(m, data + Nlattr.HEADER, data + Nlattr.length(m, data), NFTA_DATA_VALUE);
        if (value == RtAttributes.ABSENT) {
            return;
        }
        int n = Math.max(0, Math.min(Nlattr.length(m, value) - Nlattr.HEADER, registers.length - unit * 4));
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, value + Nlattr.HEADER, registers, unit * 4, n);
    }

    /** The 4-byte unit a register starts at: NFT_REG_1..4 are 16 bytes each, NFT_REG32_00..15 (8..23) 4 bytes. */
    private static int unit(long reg) {
        if (reg >= 1 && reg <= 4) {
            return (int) (reg - 1) * 4;
        }
        if (reg >= 8 && reg <= 23) {
            return (int) reg - 8;
        }
        return -1;
    }

    private static NatRule masq(MemorySegment m, long d, long end, byte[] registers, String where, int protocol) {
        long flags = be32In(m, d, end, NFTA_MASQ_FLAGS);
        PortRange ports = ports(registers, be32In(m, d, end, NFTA_MASQ_REG_PROTO_MIN), be32In(m, d, end, NFTA_MASQ_REG_PROTO_MAX));
        return new NatRule("masquerade", null, null, ports, flags > 0 && (flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) != 0, where, protocol);
    }

    private static NatRule nat(MemorySegment m, long d, long end, byte[] registers, int ruleFamily, String where,
            int protocol) {
        if (be32In(m, d, end, NFTA_NAT_TYPE) != NFT_NAT_SNAT) {
            return null;
        }
        long family = be32In(m, d, end, NFTA_NAT_FAMILY);
        int addressLength = (family < 0 ? ruleFamily : family) == AF_INET6 ? 16 : 4;
        long flags = be32In(m, d, end, NFTA_NAT_FLAGS);
        String low = address(registers, be32In(m, d, end, NFTA_NAT_REG_ADDR_MIN), addressLength);
        String high = address(registers, be32In(m, d, end, NFTA_NAT_REG_ADDR_MAX), addressLength);
        PortRange ports = ports(registers, be32In(m, d, end, NFTA_NAT_REG_PROTO_MIN), be32In(m, d, end, NFTA_NAT_REG_PROTO_MAX));
        return new NatRule("snat", low, high != null ? high : low, ports,
                flags > 0 && (flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) != 0, where, protocol);
    }

    /**
     * iptables-nft's MASQUERADE / SNAT: x_tables target info. IPv4 rev 0 is struct
     * nf_nat_ipv4_multi_range_compat; rev 1 struct nf_nat_range, rev 2 nf_nat_range2 (same prefix),
     * and ip6tables' MASQUERADE rev 0 is nf_nat_range too.
     */
    private static NatRule target(MemorySegment m, long d, long end, int family, String where, int protocol) {
        String name = stringIn(m, d, end, NFTA_TARGET_NAME);
        if (!"MASQUERADE".equals(name) && !"SNAT".equals(name)) {
            return null;
        }
        long rev = Math.max(0, be32In(m, d, end, NFTA_TARGET_REV));
        long info = RtAttributes.find(m, d, end, NFTA_TARGET_INFO);
        if (info == RtAttributes.ABSENT) {
            return null;
        }
        long p = info + Nlattr.HEADER;
        long n = Nlattr.length(m, info) - Nlattr.HEADER;
        boolean compat = family == AF_INET && rev == 0;
        int flags;
        String low = null;
        String high = null;
        int minPort;
        int maxPort;
        if (compat) {
            if (n < 20) {
                return null;
            }
            flags = m.get(HOST32, p + 4);
            if ((flags & NF_NAT_RANGE_MAP_IPS) != 0) {
                low = IpText.ipv4(m.get(Nlattr.BE32, p + 8));
                high = IpText.ipv4(m.get(Nlattr.BE32, p + 12));
            }
            minPort = Short.toUnsignedInt(m.get(Nlattr.BE16, p + 16));
            maxPort = Short.toUnsignedInt(m.get(Nlattr.BE16, p + 18));
        } else {
            if (n < 40) {
                return null;
            }
            flags = m.get(HOST32, p);
            if ((flags & NF_NAT_RANGE_MAP_IPS) != 0) {
                low = family == AF_INET6 ? v6(m, p + 4) : IpText.ipv4(m.get(Nlattr.BE32, p + 4));
                high = family == AF_INET6 ? v6(m, p + 20) : IpText.ipv4(m.get(Nlattr.BE32, p + 20));
            }
            minPort = Short.toUnsignedInt(m.get(Nlattr.BE16, p + 36));
            maxPort = Short.toUnsignedInt(m.get(Nlattr.BE16, p + 38));
        }
        PortRange ports = (flags & NF_NAT_RANGE_PROTO_SPECIFIED) != 0 && minPort <= maxPort
                ? new PortRange(minPort, maxPort) : null;
        return new NatRule(name.equals("SNAT") ? "snat" : "masquerade", low, high, ports,
                (flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) != 0, where, protocol);
    }

    private static String v6(MemorySegment m, long at) {
        var be64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        return IpText.ipv6(m.get(be64, at), m.get(be64, at + 8));
    }

    private static PortRange ports(byte[] registers, long minReg, long maxReg) {
        int min = unit(minReg);
        if (min < 0) {
            return null;
        }
        int max = unit(maxReg) < 0 ? min : unit(maxReg);
        int lo = (registers[min * 4] & 0xff) << 8 | (registers[min * 4 + 1] & 0xff);
        int hi = (registers[max * 4] & 0xff) << 8 | (registers[max * 4 + 1] & 0xff);
        return lo <= hi ? new PortRange(lo, hi) : null;
    }

    private static String address(byte[] registers, long reg, int length) {
        int u = unit(reg);
        if (u < 0 || u * 4 + length > registers.length) {
            return null;
        }
        MemorySegment s = MemorySegment.ofArray(registers);
        return length == 16 ? v6(s, u * 4L) : IpText.ipv4(s.get(Nlattr.BE32, u * 4L));
    }

    private static long be32In(MemorySegment m, long start, long end, int type) {
        long at = RtAttributes.find(m, start, end, type);
        return at == RtAttributes.ABSENT || Nlattr.length(m, at) < Nlattr.HEADER + 4 ? -1 : Nlattr.be32(m, at + Nlattr.HEADER);
    }

    private static String stringIn(MemorySegment m, long start, long end, int type) {
        long at = RtAttributes.find(m, start, end, type);
        return at == RtAttributes.ABSENT ? null : Nlattr.string(m, at + Nlattr.HEADER, Nlattr.length(m, at) - Nlattr.HEADER);
    }

    private static String familyName(int family) {
        return switch (family) {
            case 1 -> "inet";
            case AF_INET -> "ip";
            case AF_INET6 -> "ip6";
            default -> "family" + family;
        };
    }
}

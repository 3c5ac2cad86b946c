package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ctnetlink dump decoder against a real capture (ConntrackCapture: IPv4 and IPv6, NATed and
 * not, TCP in TIME_WAIT, ESTABLISHED and SYN_SENT, UDP replied and unreplied, ICMP), checked entry by
 * entry against `conntrack -L` of the same moment.
 */
class ConntrackDumpTest {
    static final byte[] DUMP = NetlinkBytes.resource("ctnetlink_conntrack.bin");
    static final List<Line> ORACLE = oracle();
    static final NatPorts RULES = new NatPorts("nftables", decodeRules("nft_rules_iptables.bin"), null, null);

    /** One `conntrack -L` line: protocol, state ("" without one), the two tuples and the flags. */
    record Line(String protocol, String state, String src, String dst, int sport, int dport, String rsrc, String rdst,
            int rsport, int rdport, boolean unreplied, boolean assured) {}

    @Test
    void everyEntryIsCountedByProtocolAndState() throws IOException {
        ParseLog log = new ParseLog();
        ConntrackEntries ce = CtnetlinkDump.decode(MemorySegment.ofArray(DUMP), RULES, log);
        assertThat(log.skipped()).isZero();
        assertThat(ce.entries()).isEqualTo(ORACLE.size());
        Map<String, Long> expected = new HashMap<>();
        for (Line l : ORACLE) {
            String state = !l.state().isEmpty() ? l.state().toLowerCase(Locale.ROOT)
                    : l.assured() ? "assured" : l.unreplied() ? "unreplied" : "replied";
            expected.merge(l.protocol() + "/" + state, 1L, Long::sum);
        }
        Map<String, Long> decoded = new HashMap<>();
        ce.states().forEach(s -> decoded.put(s.protocol() + "/" + s.state(), s.entries()));
        assertThat(decoded).isEqualTo(expected);
        assertThat(ce.count("tcp", "time_wait")).isEqualTo(1);
        assertThat(ce.timeWaitMaxRemainingSeconds()).isBetween(1L, 120L);
        assertThat(ce.partial()).isNull();
    }

    @Test
    void destinationsAndSourcesAreTheOriginalTuples() throws IOException {
        ConntrackEntries ce = CtnetlinkDump.decode(MemorySegment.ofArray(DUMP), RULES, new ParseLog());
        Map<String, Long> expected = new HashMap<>();
        Map<String, Long> expectedSources = new HashMap<>();
        for (Line l : ORACLE) {
            expected.merge(l.protocol() + " " + l.dst() + " " + l.dport(), 1L, Long::sum);
            expectedSources.merge(l.protocol() + " " + l.dst() + " " + l.dport() + " " + l.src(), 1L, Long::sum);
        }
        Map<String, Long> decoded = new HashMap<>();
        ce.destinations().forEach(d -> decoded.put(d.protocol() + " " + d.ip() + " " + d.port(), d.entries()));
        assertThat(decoded).isEqualTo(expected);
        Map<String, Long> sources = new HashMap<>();
        ce.sources().forEach(s -> sources.put(s.protocol() + " " + s.dstIp() + " " + s.dstPort() + " " + s.srcIp(), s.entries()));
        assertThat(sources).isEqualTo(expectedSources);
    }

    @Test
    void natGroupsAreTheReplyTuplesOfTranslatedEntriesAgainstTheirRulesRange() throws IOException {
        ConntrackEntries ce = CtnetlinkDump.decode(MemorySegment.ofArray(DUMP), RULES, new ParseLog());
        Map<String, Long> expected = new HashMap<>();
        for (Line l : ORACLE) {
            boolean translated = !l.rdst().equals(l.src()) || l.rdport() != l.sport();
            if (translated && !l.protocol().equals("icmp")) {
                expected.merge(l.protocol() + " " + l.rdst() + " " + l.rsrc() + " " + l.rsport(), 1L, Long::sum);
            }
        }
        Map<String, Long> decoded = new HashMap<>();
        for (ConntrackEntries.NatGroup g : ce.natGroups()) {
            decoded.put(g.protocol() + " " + g.srcIp() + " " + g.dstIp() + " " + g.dstPort(), g.natted());
        }
        assertThat(decoded).isEqualTo(expected);
        // the TCP rule's --to-ports, the UDP rule's (random-fully, no range) kernel default, per protocol
        ConntrackEntries.NatGroup tcp = group(ce, "tcp", "10.77.2.2", 8080);
        assertThat(tcp.range()).isEqualTo(new PortRange(40000, 40099));
        assertThat(tcp.heldInRange()).isEqualTo(tcp.held()).isEqualTo(2);
        assertThat(tcp.timeWait()).isEqualTo(1);
        assertThat(group(ce, "tcp", "10.77.2.99", 8080).range()).isEqualTo(new PortRange(40000, 40099));
        assertThat(group(ce, "udp", "10.77.2.2", 5353).range()).isEqualTo(NatRule.KERNEL_DEFAULT_PORTS);
        assertThat(group(ce, "udp", "fd77:2::2", 5354).srcIp()).isEqualTo("fd77:2::1");
        assertThat(ce.natGroups()).noneMatch(g -> g.protocol().equals("icmp"));
    }

    @Test
    void theSourceNatBitMatchesWhatTheTuplesShow() throws IOException {
        ConntrackEntry e = new ConntrackEntry();
        List<String> seen = new ArrayList<>();
        NetlinkMessages.walk(MemorySegment.ofArray(DUMP), NetlinkMessages.ANY_SEQ, "replay", new MessageSink() {
            @Override
            public void accept(MemorySegment m) {
                accept(m, 0, m.byteSize());
            }

            @Override
            public void accept(MemorySegment d, long off, long len) {
                assertThat(e.decode(d, off, len)).isNull();
                boolean moved = !java.util.Arrays.equals(e.origSrc, 0, e.addressLength, e.replyDst, 0, e.addressLength)
                        || e.origSrcPort != e.replyDstPort;
                assertThat(e.sourceNat()).as("IPS_SRC_NAT of status 0x%x", e.status).isEqualTo(moved);
                assertThat(e.status & ConntrackEntry.IPS_DST_NAT).isZero();
                seen.add(ConntrackAggregator.protocolName(e.protocol) + "/" + e.family + "/" + Long.toHexString(e.status));
            }
        });
        // every status combination the topology made: NATed assured (0x19e), NATed replied (0x19a), NATed
        // unreplied (0x198), not NATed (0x18e: NAT done, nothing changed); IPv4 (2) and IPv6 (10)
        assertThat(seen).hasSize(ORACLE.size()).containsExactlyInAnyOrder("tcp/2/19e", "udp/10/198", "udp/2/19a", "icmp/2/19a",
                "tcp/2/19e", "tcp/2/18e", "tcp/2/198", "tcp/10/19e");
    }

    @Test
    void theEntryBoundStopsTheDumpAndSaysItIsPartial() throws IOException {
        ParseLog log = new ParseLog();
        var dump = new CtnetlinkDump(java.time.Duration.ofSeconds(1), 3, java.time.Duration.ofSeconds(10), null,
                (type, body, sink) -> {
                    NetlinkMessages.walk(MemorySegment.ofArray(DUMP), NetlinkMessages.ANY_SEQ, "replay", sink);
                    return new NetlinkSocket.DumpResult(ORACLE.size(), false);
                }, l -> List.of());
        ConntrackEntries ce = dump.read(log);
        assertThat(ce.entries()).isEqualTo(3);
        assertThat(ce.partial()).contains("dump-limit=3");
    }

    @Test
    void theTimeBoundStopsALongDumpAndSaysItIsPartial() throws IOException {
        // 40 copies of the capture: past the 256 entries after which the clock is first looked at
        var dump = new CtnetlinkDump(java.time.Duration.ofSeconds(1), Long.MAX_VALUE, java.time.Duration.ZERO, null,
                (type, body, sink) -> {
                    for (int i = 0; i < 40; i++) {
                        NetlinkMessages.walk(MemorySegment.ofArray(DUMP), NetlinkMessages.ANY_SEQ, "replay", sink);
                    }
                    return new NetlinkSocket.DumpResult(40L * ORACLE.size(), false);
                }, l -> List.of());
        ConntrackEntries ce = dump.read(new ParseLog());
        assertThat(ce.entries()).isEqualTo(255);
        assertThat(ce.partial()).isEqualTo("stopped after 255 entries at the time bound");
    }

    static ConntrackEntries.NatGroup group(ConntrackEntries ce, String protocol, String dst, int port) {
        return ce.natGroups().stream().filter(g -> g.protocol().equals(protocol) && g.dstIp().equals(dst) && g.dstPort() == port)
                .findFirst().orElseThrow();
    }

    static List<NatRule> decodeRules(String name) {
        try {
            ParseLog log = new ParseLog();
            List<NatRule> rules = NftNatRules.decode(MemorySegment.ofArray(NetlinkBytes.resource(name)), log);
            assertThat(log.skipped()).isZero();
            return rules;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Line> oracle() {
        try (InputStream in = ConntrackDumpTest.class.getResourceAsStream("/netlink/ctnetlink_conntrack.conntrack-L.txt")) {
            List<Line> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().toList()) {
                String[] w = line.trim().split("\\s+");
                String state = w[3].contains("=") ? "" : w[3];
                List<String> src = new ArrayList<>();
                List<String> dst = new ArrayList<>();
                List<Integer> sport = new ArrayList<>();
                List<Integer> dport = new ArrayList<>();
                for (String x : w) {
                    if (x.startsWith("src=")) {
                        src.add(x.substring(4));
                    } else if (x.startsWith("dst=")) {
                        dst.add(x.substring(4));
                    } else if (x.startsWith("sport=")) {
                        sport.add(Integer.parseInt(x.substring(6)));
                    } else if (x.startsWith("dport=")) {
                        dport.add(Integer.parseInt(x.substring(6)));
                    } else if (x.startsWith("id=")) { // ICMP: no ports, the id stands for both
                        sport.add(Integer.parseInt(x.substring(3)));
                        dport.add(0);
                    }
                }
                boolean icmp = w[0].equals("icmp");
                out.add(new Line(w[0], state, src.get(0), dst.get(0), icmp ? 0 : sport.get(0), dport.get(0), src.get(1),
                        dst.get(1), icmp ? 0 : sport.get(1), dport.get(1), line.contains("[UNREPLIED]"), line.contains("[ASSURED]")));
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

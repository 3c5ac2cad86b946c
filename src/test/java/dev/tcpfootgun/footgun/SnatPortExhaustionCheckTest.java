package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** snat_port_exhaustion's levels and evidence on built snapshots; SnatExhaustionIT makes the kernel do it. */
class SnatPortExhaustionCheckTest {
    static final NatPorts RULE = new NatPorts("nftables",
            List.of(new NatRule("masquerade", null, null, new PortRange(40000, 40099), false, "ip nat POSTROUTING", 6)), null, null);

    static ConntrackEntries table(long held, long timeWait, NatPorts ports, String partial) {
        PortRange range = ports.rangeFor("10.0.0.1", 6);
        return new ConntrackEntries(held, partial, 0, List.of(new ConntrackEntries.StateCount("tcp", "established", held)), -1,
                List.of(new ConntrackEntries.Destination("tcp", "192.0.2.9", 5432, held)),
                List.of(new ConntrackEntries.Source("tcp", "192.0.2.9", 5432, "10.1.0.7", held * 3 / 4),
                        new ConntrackEntries.Source("tcp", "192.0.2.9", 5432, "10.1.0.8", held - held * 3 / 4)),
                held == 0 ? List.of() : List.of(new ConntrackEntries.NatGroup("tcp", "10.0.0.1", "192.0.2.9", 5432, held, held,
                        timeWait, held, range)),
                ports);
    }

    static Conntrack conntrack(long insertFailed) {
        return new Conntrack(100, OptionalLong.of(262144), OptionalLong.empty(), OptionalLong.of(120),
                Map.of("insert_failed", insertFailed), Conntrack.StatsOrigin.PROCFS, "", "");
    }

    static Finding judge(ConntrackEntries now, long insertFailedBefore, long insertFailedNow) {
        var before = Snapshots.node().conntrack(conntrack(insertFailedBefore)).conntrackEntries(now).build();
        var after = Snapshots.node().at(15).conntrack(conntrack(insertFailedNow)).conntrackEntries(now).build();
        return new SnatPortExhaustionCheck().judge(Snapshots.observe(after, before));
    }

    @Test
    void riskIsTheWorstGroupsShareOfItsRange() {
        Finding f = judge(table(85, 40, RULE, null), 0, 0);
        assertThat(f.risk()).isEqualTo(0.85);
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(f.evidence().getFirst()).isEqualTo("tcp 10.0.0.1 -> 192.0.2.9:5432 holds 85 of 100 NAT source ports "
                + "(85.0 %, range 40000-40099), 40 of them in TIME_WAIT; at 120 s TIME_WAIT that leaves 0.1 new connections/s "
                + "before new connections there are dropped");
        assertThat(f.evidence()).contains("ports from the nf_tables ruleset: ip nat POSTROUTING: tcp masquerade ports 40000-40099")
                .anyMatch(e -> e.startsWith("sources holding most of them: 10.1.0.7 (pod unknown) 63, 10.1.0.8 (pod unknown) 22"));
        assertThat(f.fix()).contains("192.0.2.9:5432").contains("10.1.0.7").contains("nf_conntrack_tcp_timeout_time_wait=60 (now 120)")
                .contains("--random-fully").contains("100 ports per destination");
    }

    @Test
    void halfTheRangeWarnsAndLessIsFine() {
        assertThat(judge(table(50, 0, RULE, null), 0, 0).status()).isEqualTo(Status.WARN);
        assertThat(judge(table(10, 0, RULE, null), 0, 0).status()).isEqualTo(Status.OK);
        Finding none = judge(table(0, 0, RULE, null), 0, 0);
        assertThat(none.risk()).isZero();
        assertThat(none.evidence()).containsExactly("no source-NATed entry among 0 conntrack entries");
    }

    @Test
    void aFullRangeWithInsertFailuresIsFailingNow() {
        assertThat(judge(table(100, 0, RULE, null), 3, 10).risk()).isEqualTo(1);
        assertThat(judge(table(100, 0, RULE, null), 3, 10).evidence()).anyMatch(e -> e.startsWith("insert_failed rose by 7"));
        // insert failures while ports are free are another harm (conntrack_table_full's)
        assertThat(judge(table(90, 0, RULE, null), 3, 10).risk()).isEqualTo(0.9);
    }

    @Test
    void theEvidenceSaysWhereTheRangeCameFrom() {
        NatPorts flag = new NatPorts("flag", List.of(), new PortRange(40000, 40099), "netlink request type 2567: EPERM");
        assertThat(judge(table(20, 0, flag, null), 0, 0).evidence())
                .contains("ports from --collector.conntrack.nat-port-range=40000-40099 (the ruleset is unreadable: netlink request type 2567: EPERM)");
        NatPorts assumed = new NatPorts("default", List.of(), null, "EPERM");
        Finding f = judge(table(20, 0, assumed, null), 0, 0);
        assertThat(f.evidence()).anyMatch(e -> e.startsWith("ports from the kernel's default 1024-65535, assumed: the ruleset is unreadable (EPERM)"));
        assertThat(f.evidence().getFirst()).contains("holds 20 of 64512");
        NatPorts noRule = new NatPorts("nftables", List.of(), null, null);
        assertThat(judge(table(20, 0, noRule, null), 0, 0).evidence())
                .anyMatch(e -> e.contains("no source-NAT rule in the nf_tables ruleset (iptables-legacy rules are not readable"));
    }

    @Test
    void aPartialDumpIsSaidAndAnUnreadableOneIsUnknown() {
        assertThat(judge(table(90, 0, RULE, "stopped at --collector.conntrack.dump-limit=90 entries"), 0, 0).evidence())
                .anyMatch(e -> e.startsWith("the dump is partial (stopped at --collector.conntrack.dump-limit=90 entries)"));
        var refused = Snapshots.node().conntrackEntriesFail("conntrack dump refused (EPERM): needs CAP_NET_ADMIN").build();
        Finding f = new SnatPortExhaustionCheck().judge(Snapshots.observe(refused, null));
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).contains("CAP_NET_ADMIN");
        Finding off = new SnatPortExhaustionCheck().judge(Snapshots.observe(Snapshots.node().off("conntrack_entries").build(), null));
        assertThat(off.missing()).contains("--no-collector.conntrack_entries");
    }

    @Test
    void sourcesAreNamedByThePodOwningTheirAddress() {
        var now = Snapshots.node().conntrack(conntrack(0)).conntrackEntries(table(85, 0, RULE, null)).build();
        var pods = new dev.tcpfootgun.netns.PodAddresses(Map.of("10.1.0.7",
                new dev.tcpfootgun.netns.NetnsRef(4026532451L, 77, false, new dev.tcpfootgun.netns.Pod("uid-1", "shop", "cart-7d9"))));
        Finding f = new SnatPortExhaustionCheck().judge(new Observation(now, null, pods));
        assertThat(f.evidence()).anyMatch(e -> e.equals("sources holding most of them: 10.1.0.7 (pod shop/cart-7d9) 63, "
                + "10.1.0.8 (pod unknown) 22"));
        assertThat(f.fix()).contains("10.1.0.7 (pod shop/cart-7d9) 63");
    }

    @Test
    void conntrackTableFullNamesWhatFillsIt() {
        var s = Snapshots.node().conntrack(conntrack(0)).conntrackEntries(table(90, 0, RULE, null)).build();
        Finding f = new ConntrackTableFullCheck().judge(Snapshots.observe(s, null));
        assertThat(f.evidence()).contains("tcp 192.0.2.9:5432 holds 90 of 90 entries (100.0 %); from 10.1.0.7 (pod unknown) 67, "
                + "10.1.0.8 (pod unknown) 23");
    }
}

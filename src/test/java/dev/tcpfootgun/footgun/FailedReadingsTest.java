package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Slot;
import dev.tcpfootgun.snapshot.TcpState;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import dev.tcpfootgun.source.SysctlSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every check judged with each reading failed in turn: a failed reading must never throw (which
 * Checks.judge would hide as "check failed"), and a check must still give the verdict it can give
 * from the readings it still has.
 */
class FailedReadingsTest {

    /** What each check cannot judge without; with any other reading failed, it must still give a verdict. */
    static final Map<Footgun, Set<String>> NEEDS = new EnumMap<>(Map.ofEntries(
            Map.entry(Footgun.EPHEMERAL_PORT_EXHAUSTION, Set.of("sockets", "sysctl")),
            Map.entry(Footgun.TIME_WAIT_MISGUIDED_TUNING, Set.of("sysctl")),
            Map.entry(Footgun.TW_RECYCLE_NAT, Set.of("sysctl")),
            Map.entry(Footgun.SMALL_SOCKET_BUFFERS, Set.of("sockets")),
            Map.entry(Footgun.NAGLE_DELAYED_ACK, Set.of("sockets")),
            Map.entry(Footgun.KEEPALIVE_TOO_LONG, Set.of("sysctl")),
            Map.entry(Footgun.MSS_MTU_MISMATCH, Set.of("interfaces")),
            Map.entry(Footgun.PMTU_BLACKHOLE, Set.of("sysctl")),
            Map.entry(Footgun.CONNTRACK_TABLE_FULL, Set.of("conntrack")),
            // without BBR sockets, only the sysctl says whether BBR is in use
            Map.entry(Footgun.BBR_WITHOUT_FQ, Set.of("sysctl", "interfaces", "qdisc")),
            Map.entry(Footgun.REUSEPORT_IMBALANCE, Set.of("sockets")),
            Map.entry(Footgun.LISTEN_QUEUE_OVERFLOW, Set.of("sockets")),
            Map.entry(Footgun.SNAT_PORT_EXHAUSTION, Set.of("conntrack_entries"))));

    @Test
    void everyFootgunSaysWhatItNeeds() {
        assertThat(NEEDS).containsOnlyKeys(Footgun.values());
        assertThat(NEEDS.values().stream().flatMap(Set::stream)).allSatisfy(c -> assertThat(COLLECTORS).contains(c));
    }

    static final List<String> COLLECTORS = Collectors.ALL.stream().map(Collector::name).toList();

    /** A node where every reading answers and every check has something to judge; BBR on, so bbr_without_fq looks at qdiscs. */
    static Snapshots everything() {
        TcpInfos path = TcpInfos.info().rtt(2000, 500).minRtt(1000).sent(1_448_000, 1000).busy(1_000_000, 0, 0)
                .path(1448, 1448, 1500);
        return Snapshots.node().netlink()
                .sysctl("net.ipv4.ip_local_port_range", "32768\t60999").sysctl("net.ipv4.ip_local_reserved_ports", "")
                .sysctl("net.ipv4.tcp_tw_reuse", "2").sysctl("net.ipv4.tcp_timestamps", "1")
                .sysctl("net.ipv4.tcp_fin_timeout", "60").sysctl("net.ipv4.tcp_max_tw_buckets", "262144")
                .sysctl("net.ipv4.tcp_keepalive_time", "7200").sysctl("net.ipv4.tcp_keepalive_intvl", "75")
                .sysctl("net.ipv4.tcp_keepalive_probes", "9").sysctl("net.ipv4.tcp_retries2", "15")
                .sysctl("net.ipv4.tcp_mtu_probing", "0").sysctl("net.ipv4.tcp_base_mss", "1024")
                .sysctl("net.ipv4.ip_no_pmtu_disc", "0")
                .sysctl("net.core.rmem_max", "212992").sysctl("net.core.wmem_max", "212992")
                .sysctl("net.ipv4.tcp_rmem", "4096\t131072\t6291456").sysctl("net.ipv4.tcp_wmem", "4096\t16384\t4194304")
                .sysctl("net.core.somaxconn", "4096").sysctl("net.ipv4.tcp_congestion_control", "bbr")
                .sysctl("net.core.default_qdisc", "fq_codel").sysctl("kernel.osrelease", "6.18.44")
                .netstat("TcpExt.TCPTimeWaitOverflow", 0).netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.ListenDrops", 0)
                .netstat("TcpExt.PAWSPassive", 0).netstat("TcpExt.TCPMTUPFail", 0).netstat("TcpExt.DelayedACKs", 0)
                .snmp("Icmp.InDestUnreachs", 0)
                .link("lo", 1, 65536, "loopback", true).link("eth0", 2, 1500, "physical", true)
                .link("vxlan0", 3, 1450, "vxlan", true)
                .qdisc(1, 0, Qdisc.TC_H_ROOT, "noqueue").qdisc(2, 0x80010000L, Qdisc.TC_H_ROOT, "fq_codel")
                .qdisc(3, 0, Qdisc.TC_H_ROOT, "noqueue")
                .conntrack(CountersChecksTest.ct(1000, 262144, 0, 0)).timeWaitCount(10)
                .conntrackEntries(SnatPortExhaustionCheckTest.table(10, 2, SnatPortExhaustionCheckTest.RULE, null))
                .listener("0.0.0.0", 8080, 0, 4096)
                .connection("10.0.0.7", 40000, "10.0.0.8", 5432, path.build(), Snapshots.buffers(131072, 87040))
                .connection("10.0.0.7", 40001, "10.0.0.8", 5432, path.build(), Snapshots.buffers(131072, 87040))
                .clients("10.0.0.7", "10.0.0.9", 443, TcpState.TIME_WAIT, 41000, 5, 30_000);
    }

    @Test
    void everyCheckGivesAVerdictWhenEveryReadingAnswers() {
        List<Finding> findings = Checks.all().judge(Snapshots.observe(everything().build(), null));
        assertThat(findings).allSatisfy(f -> assertThat(f.status()).as(f.footgun() + ": " + f.missing()).isNotEqualTo(Status.UNKNOWN));
    }

    @Test
    void withAnyOneReadingFailedNoCheckThrowsAndEachJudgesWhatItStillCan() {
        List<String> wrong = new ArrayList<>();
        for (String failed : COLLECTORS) {
            List<Finding> findings = Checks.all().judge(Snapshots.observe(everything().fail(failed).build(), null));
            for (Finding f : findings) {
                if (f.missing() != null && f.missing().contains("check failed")) {
                    wrong.add(f.footgun().id() + " with " + failed + " failed threw: " + f.missing());
                } else if (f.status() == Status.UNKNOWN && !NEEDS.get(f.footgun()).contains(failed)) {
                    wrong.add(f.footgun().id() + " with " + failed + " failed gave no verdict: " + f.missing());
                } else if (f.status() == Status.UNKNOWN && !f.missing().contains("injected failure of " + failed)) {
                    wrong.add(f.footgun().id() + " with " + failed + " failed does not pass the reading's reason on: " + f.missing());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** A sysctl the source could not read: a check that cannot judge without it passes the source's reason on. */
    @Test
    void withAnyOneSysctlUnreadACheckThatCannotJudgeSaysTheSourcesReason() {
        List<String> wrong = new ArrayList<>();
        for (String name : SysctlSource.NAMES) {
            String reason = "injected: /proc/sys/" + name.replace('.', '/') + " unreadable";
            for (Finding f : Checks.all().judge(Snapshots.observe(everything().sysctlUnread(name, reason).build(), null))) {
                if (f.status() == Status.UNKNOWN && (f.missing() == null || !f.missing().contains(name + ": " + reason))) {
                    wrong.add(f.footgun().id() + " with " + name + " unread: " + f.missing());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** Conntrack's drop counters missing: the finding says why in the sources' words, not the check's. */
    @Test
    void conntrackWithoutStatisticsSaysWhyInTheSourcesWords() {
        String why = "/proc/net/stat/nf_conntrack does not exist; ctnetlink: EPERM: needs CAP_NET_ADMIN";
        Finding f = Checks.all().judge(Snapshots.observe(everything().conntrack(new dev.tcpfootgun.snapshot.Conntrack(1000,
                java.util.OptionalLong.of(262144), java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), Map.of(),
                dev.tcpfootgun.snapshot.Conntrack.StatsOrigin.NONE, why, "")).build(), null)).stream()
                .filter(x -> x.footgun() == Footgun.CONNTRACK_TABLE_FULL).findFirst().orElseThrow();
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).isEqualTo("drop counters unavailable: " + why));
    }

    /** nf_conntrack_max missing: the finding gives the count and the source's reason, not words of its own. */
    @Test
    void conntrackWithoutItsLimitSaysWhyInTheSourcesWords() {
        String why = "/proc/sys/net/netfilter/nf_conntrack_max: not a number: \"lots\"";
        Finding f = Checks.all().judge(Snapshots.observe(everything().conntrack(new dev.tcpfootgun.snapshot.Conntrack(1000,
                java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), Map.of("drop", 0L),
                dev.tcpfootgun.snapshot.Conntrack.StatsOrigin.PROCFS, "", why)).build(), null)).stream()
                .filter(x -> x.footgun() == Footgun.CONNTRACK_TABLE_FULL).findFirst().orElseThrow();
        assertThat(f.evidence()).contains("1000 conntrack entries; no limit to compare with: " + why);
    }
}

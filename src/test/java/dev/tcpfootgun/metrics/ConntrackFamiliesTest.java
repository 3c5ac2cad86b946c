package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** ConntrackFamilies (the ctnetlink dump) and the conntrack table's own families, from hand-built readings. */
class ConntrackFamiliesTest {

    static final PortRange RANGE = new PortRange(40000, 40099);

    static Reading<Conntrack> table() {
        return ok("conntrack", new Conntrack(7, OptionalLong.of(262144), OptionalLong.of(65536), OptionalLong.of(120),
                Map.of("drop", 2L, "insert_failed", 1L), Conntrack.StatsOrigin.PROCFS, null, ""));
    }

    /** 3 destinations (top 2 shown), one with a source beyond the listed ones, one NAT group. */
    static ConntrackEntries dump() {
        return new ConntrackEntries(6, null, 1,
                List.of(new ConntrackEntries.StateCount("tcp", "established", 4), new ConntrackEntries.StateCount("tcp", "time_wait", 1),
                        new ConntrackEntries.StateCount("udp", "unreplied", 1)),
                100,
                List.of(new ConntrackEntries.Destination("tcp", "10.0.0.9", 5432, 3),
                        new ConntrackEntries.Destination("udp", "10.0.0.53", 53, 1),
                        new ConntrackEntries.Destination("tcp", "10.0.0.10", 80, 1)),
                List.of(new ConntrackEntries.Source("tcp", "10.0.0.9", 5432, "10.1.0.1", 2),
                        new ConntrackEntries.Source("udp", "10.0.0.53", 53, "10.1.0.2", 1)),
                List.of(new ConntrackEntries.NatGroup("tcp", "10.0.0.5", "10.0.0.9", 5432, 3, 3, 1, 3, RANGE)),
                new NatPorts("nftables", List.of(new NatRule("snat", "10.0.0.5", "10.0.0.5", RANGE, true, "ip nat POSTROUTING", 6)),
                        null, null));
    }

    @Test
    void theDumpsFamiliesNamesTypesLabelsAndValues() {
        Rendered r = Rendered.of(table(), ok("conntrack_entries", dump()));

        assertThat(r.gauge("footgun_conntrack_dump_entries")).containsExactly(
                entry("protocol=\"tcp\",state=\"established\"", 4.0), entry("protocol=\"tcp\",state=\"time_wait\"", 1.0),
                entry("protocol=\"udp\",state=\"unreplied\"", 1.0));
        assertThat(r.gauge("footgun_conntrack_dump_partial")).containsExactly(entry("", 0.0));
        assertThat(r.gauge("footgun_conntrack_dump_ungrouped_entries")).containsExactly(entry("", 1.0));
        assertThat(r.gauge("footgun_conntrack_time_wait_remaining_max_seconds")).containsExactly(entry("", 100.0));
        // the third destination and the ungrouped entry sum into other
        assertThat(r.gauge("footgun_conntrack_destination_entries")).containsExactly(
                entry("dst_ip=\"10.0.0.53\",dst_port=\"53\",protocol=\"udp\"", 1.0),
                entry("dst_ip=\"10.0.0.9\",dst_port=\"5432\",protocol=\"tcp\"", 3.0),
                entry("dst_ip=\"other\",dst_port=\"other\",protocol=\"other\"", 2.0));
        // 10.0.0.9 has 3 entries, its listed source 2: the rest is src_ip="other"
        assertThat(r.gauge("footgun_conntrack_destination_source_entries")).containsExactly(
                entry("dst_ip=\"10.0.0.53\",dst_port=\"53\",namespace=\"\",pod=\"unknown\",protocol=\"udp\",src_ip=\"10.1.0.2\"", 1.0),
                entry("dst_ip=\"10.0.0.9\",dst_port=\"5432\",namespace=\"\",pod=\"other\",protocol=\"tcp\",src_ip=\"other\"", 1.0),
                entry("dst_ip=\"10.0.0.9\",dst_port=\"5432\",namespace=\"\",pod=\"unknown\",protocol=\"tcp\",src_ip=\"10.1.0.1\"", 2.0));

        String group = "dst_ip=\"10.0.0.9\",dst_port=\"5432\",protocol=\"tcp\",src_ip=\"10.0.0.5\"";
        assertThat(r.gauge("footgun_snat_ports_held")).containsExactly(entry(group, 3.0),
                entry("dst_ip=\"other\",dst_port=\"other\",protocol=\"other\",src_ip=\"other\"", 0.0));
        assertThat(r.gauge("footgun_snat_ports_usable")).containsExactly(entry(group, 100.0));
        assertThat(r.gauge("footgun_snat_ports_free")).containsExactly(entry(group, 97.0));
        assertThat(r.gauge("footgun_snat_ports_time_wait")).containsExactly(entry(group, 1.0));
        // free ports over the table's own TIME_WAIT timeout (120 s), not the kernel default
        assertThat(r.gauge("footgun_snat_port_headroom_connections_per_second")).containsExactly(entry(group, 97 / 120.0));
        assertThat(r.info("footgun_snat_port_range")).containsExactly(
                "kind=\"snat\",origin=\"nftables\",ports=\"40000-40099\",protocol=\"6\",random_fully=\"true\",rule=\"ip nat POSTROUTING\"");
        assertThat(r.gauge("footgun_scrape_collector_success")).contains(entry("collector=\"conntrack_entries\"", 1.0));
    }

    @Test
    void theTablesFamiliesFromTheConntrackReading() {
        Rendered r = Rendered.of(table());
        assertThat(r.gauge("footgun_conntrack_entries")).containsExactly(entry("", 7.0));
        assertThat(r.gauge("footgun_conntrack_entries_limit")).containsExactly(entry("", 262144.0));
        assertThat(r.gauge("footgun_conntrack_buckets")).containsExactly(entry("", 65536.0));
        assertThat(r.gauge("footgun_conntrack_tcp_timeout_time_wait_seconds")).containsExactly(entry("", 120.0));
        assertThat(r.info("footgun_conntrack_stats_source")).containsExactly("source=\"procfs\"");
        assertThat(r.family("footgun_conntrack_drop", CounterSnapshot.class).getMetadata().getHelp())
                .isEqualTo("Conntrack statistic drop, summed over CPUs.");
        assertThat(r.counter("footgun_conntrack_drop")).containsExactly(entry("", 2.0));
        assertThat(r.counter("footgun_conntrack_insert_failed")).containsExactly(entry("", 1.0));
        // no dump read: none of its families, not even empty ones
        assertThat(r.namesStartingWith("footgun_conntrack_dump")).isEmpty();
        assertThat(r.namesStartingWith("footgun_snat")).isEmpty();
        assertThat(r.has("footgun_conntrack_destination_entries")).isFalse();
    }

    @Test
    void aFailedDumpEmitsNoneOfItsFamiliesAndSuccessZero() {
        Rendered r = Rendered.of(table(), Reading.failed("conntrack_entries", "conntrack dump refused (EPERM)", 0));
        assertThat(r.namesStartingWith("footgun_conntrack_dump")).isEmpty();
        assertThat(r.namesStartingWith("footgun_conntrack_destination")).isEmpty();
        assertThat(r.namesStartingWith("footgun_snat")).isEmpty();
        assertThat(r.has("footgun_conntrack_time_wait_remaining_max_seconds")).isFalse();
        assertThat(r.gauge("footgun_scrape_collector_success")).containsEntry("collector=\"conntrack_entries\"", 0.0)
                .containsEntry("collector=\"conntrack\"", 1.0);
    }

    @Test
    void anEmptyTableKeepsItsOtherSeriesAndLeavesOutWhatHasNoPoint() {
        ConntrackEntries empty = new ConntrackEntries(0, null, 0, List.of(), -1, List.of(), List.of(), List.of(),
                new NatPorts("default", List.of(), null, null));
        Rendered r = Rendered.of(table(), ok("conntrack_entries", empty));
        assertThat(r.has("footgun_conntrack_dump_entries")).as("no state has an entry").isFalse();
        assertThat(r.has("footgun_conntrack_time_wait_remaining_max_seconds")).as("no TIME_WAIT entry").isFalse();
        assertThat(r.has("footgun_conntrack_destination_source_entries")).isFalse();
        assertThat(r.has("footgun_snat_ports_usable")).isFalse();
        assertThat(r.gauge("footgun_conntrack_dump_partial")).containsExactly(entry("", 0.0));
        assertThat(r.gauge("footgun_conntrack_destination_entries"))
                .containsExactly(entry("dst_ip=\"other\",dst_port=\"other\",protocol=\"other\"", 0.0));
        assertThat(r.gauge("footgun_snat_ports_held"))
                .containsExactly(entry("dst_ip=\"other\",dst_port=\"other\",protocol=\"other\",src_ip=\"other\"", 0.0));
        // no rule read: the kernel's default range, said to be the default
        assertThat(r.info("footgun_snat_port_range")).containsExactly(
                "kind=\"\",origin=\"default\",ports=\"1024-65535\",protocol=\"\",random_fully=\"\",rule=\"\"");
    }

    @Test
    void aPartialDumpSaysSo() {
        ConntrackEntries d = dump();
        ConntrackEntries partial = new ConntrackEntries(d.entries(), "stopped at --collector.conntrack.dump-limit", d.ungrouped(),
                d.states(), d.timeWaitMaxRemainingSeconds(), d.destinations(), d.sources(), d.natGroups(), d.natPorts());
        assertThat(Rendered.of(table(), ok("conntrack_entries", partial)).family("footgun_conntrack_dump_partial", GaugeSnapshot.class)
                .getDataPoints().getFirst().getValue()).isEqualTo(1.0);
    }
}

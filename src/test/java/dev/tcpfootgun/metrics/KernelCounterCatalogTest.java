package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** KernelCounterCatalog as rendered: /proc/net/netstat and /proc/net/snmp fields under their spelled-out names. */
class KernelCounterCatalogTest {

    static final Set<String> NETSTAT = Set.of("TcpExt", "IpExt", "MPTcpExt");

    @Test
    void everyCatalogEntryIsRenderedUnderItsNameAndTypeFromItsSection() {
        Map<String, Double> netstat = new HashMap<>();
        Map<String, Double> snmp = new HashMap<>();
        int n = 1;
        for (KernelCounterCatalog.Entry e : KernelCounterCatalog.ENTRIES) {
            (NETSTAT.contains(e.section()) ? netstat : snmp).put(e.section() + "." + e.field(), (double) n++);
        }
        netstat.put("TcpExt.NotInTheCatalog", 99.0);
        Rendered r = Rendered.of(ok("netstat", new KernelCounters(netstat)), ok("snmp", new KernelCounters(snmp)));
        Set<String> names = new HashSet<>();
        n = 1;
        for (KernelCounterCatalog.Entry e : KernelCounterCatalog.ENTRIES) {
            assertThat(names.add(e.metric())).as(e.metric() + " named once").isTrue();
            MetricSnapshot m = e.gauge() ? r.family(e.metric(), GaugeSnapshot.class) : r.family(e.metric(), CounterSnapshot.class);
            assertThat(m.getMetadata().getHelp()).isEqualTo(e.help() + " (" + e.section() + " " + e.field() + ")");
            assertThat(r.values(e.metric())).containsExactly(entry("", (double) n++));
        }
        assertThat(r.namesStartingWith("footgun_tcpext_")).noneMatch(s -> s.contains("not_in"));
    }

    @Test
    void theFewLevelsAreGaugesAndANegativeCounterIsLeftOut() {
        Rendered r = Rendered.of(ok("netstat", new KernelCounters(Map.of("TcpExt.ListenOverflows", 5.0, "TcpExt.ListenDrops", -1.0))),
                ok("snmp", new KernelCounters(Map.of("Tcp.CurrEstab", 3.0, "Tcp.RetransSegs", 10.0))));
        assertThat(r.counter("footgun_tcpext_listen_overflows")).containsExactly(entry("", 5.0));
        assertThat(r.has("footgun_tcpext_listen_drops")).as("a counter cannot be negative").isFalse();
        assertThat(r.gauge("footgun_tcp_curr_estab")).containsExactly(entry("", 3.0));
        assertThat(r.counter("footgun_tcp_retrans_segs")).containsExactly(entry("", 10.0));
        assertThat(r.has("footgun_tcpext_delayed_acks")).as("a field the kernel did not list").isFalse();
    }

    @Test
    void aSourceThatFailedRendersNoneOfItsCounters() {
        Rendered r = Rendered.of(Reading.failed("netstat", "no /proc/net/netstat", 0),
                ok("snmp", new KernelCounters(Map.of("Tcp.RetransSegs", 10.0))));
        assertThat(r.namesStartingWith("footgun_tcpext_")).isEmpty();
        assertThat(r.counter("footgun_tcp_retrans_segs")).containsExactly(entry("", 10.0));
        assertThat(r.gauge("footgun_scrape_collector_success")).containsEntry("collector=\"netstat\"", 0.0)
                .containsEntry("collector=\"snmp\"", 1.0);
    }
}

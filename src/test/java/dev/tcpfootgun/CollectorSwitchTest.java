package dev.tcpfootgun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.config.BadFlagException;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Slot;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import dev.tcpfootgun.source.NodeReader;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --[no-]collector.NAME and --collector.disable-defaults, from the registry to /metrics. */
class CollectorSwitchTest {

    static final List<String> ALL = Collectors.ALL.stream().map(Collector::name).toList();

    static String fixture() {
        try {
            return Path.of(CollectorSwitchTest.class.getResource("/proc/linux-6.18").toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyCollectorIsOnByDefaultAndHasItsFlagInTheHelp() throws Exception {
        assertThat(Settings.parse(List.of()).collectors()).containsExactlyElementsOf(ALL);
        for (String name : ALL) {
            assertThat(Settings.USAGE).contains("    " + name + " ");
        }
        assertThat(Settings.USAGE).contains("--[no-]collector.NAME").contains("--collector.disable-defaults");
    }

    @Test
    void noCollectorSwitchesOneOffAndDisableDefaultsKeepsOnlyTheNamedOnes() throws Exception {
        assertThat(Settings.parse(List.of("--no-collector.conntrack")).collectors()).doesNotContain("conntrack")
                .hasSize(ALL.size() - 1);
        assertThat(Settings.parse(List.of("--collector.disable-defaults", "--collector.sysctl", "--collector.sockets")).collectors())
                .containsExactly("sockets", "sysctl");
        // the last word on one collector wins, as with node_exporter's flags
        assertThat(Settings.parse(List.of("--no-collector.qdisc", "--collector.qdisc")).collectors()).contains("qdisc");
        // the sockets collector's own flags still work beside its switch
        assertThat(Settings.parse(List.of("--collector.sockets", "--collector.sockets.source=procfs",
                "--collector.sockets.detail-limit=5", "--collector.netns")).netns()).isTrue();
    }

    @Test
    void aBadCollectorFlagIsOneClearLine() {
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.nosuch"))).isInstanceOf(BadFlagException.class)
                .hasMessage("unknown flag --collector.nosuch");
        assertThatThrownBy(() -> Settings.parse(List.of("--no-collector.nosuch"))).hasMessage("unknown flag --no-collector.nosuch");
        assertThatThrownBy(() -> Settings.parse(List.of("--collector.conntrack=false")))
                .hasMessage("--collector.conntrack takes no value (--collector.conntrack or --no-collector.conntrack)");
    }

    @Test
    void aSwitchedOffCollectorIsNeitherReadNorReportedFailing() throws Exception {
        Settings settings = Settings.parse(List.of("--path.procfs=" + fixture(), "--path.sysfs=" + fixture() + "/no-sysfs",
                "--collector.sockets.source=procfs", "--no-collector.conntrack", "--no-collector.qdisc"));
        NodeReader reader = Exporter.reader(settings);
        assertThat(reader.collectors()).doesNotContain("conntrack", "qdisc").contains("sockets", "sysctl");

        Assessment a = Exporter.scraper(settings).assess();
        NodeSnapshot s = a.snapshot();
        assertThat(s.readings()).extracting(Reading::collector).doesNotContain("conntrack", "qdisc");
        assertThat(s.conntrack().state()).isEqualTo(Reading.State.ABSENT);
        assertThat(s.conntrack().reason()).contains("--no-collector.conntrack");
        assertThat(s.sysctls().success()).isTrue();

        Finding conntrack = a.findings().stream().filter(f -> f.footgun() == Footgun.CONNTRACK_TABLE_FULL).findFirst().orElseThrow();
        assertThat(conntrack.status()).isEqualTo(Status.UNKNOWN);
        assertThat(conntrack.missing()).contains("switched off");

        List<String> collectorLabels = new ArrayList<>();
        for (MetricSnapshot m : new MetricsRenderer("test", 10, settings.destinationsTop(), DestinationLabels.of(settings.destinationLabels()), settings.ignoredDevices()).render(a)) {
            if (m.getMetadata().getPrometheusName().equals("footgun_scrape_collector_success")) {
                for (DataPointSnapshot p : m.getDataPoints()) {
                    collectorLabels.add(p.getLabels().get("collector"));
                }
            }
        }
        assertThat(collectorLabels).contains("sockets", "sysctl", "netstat").doesNotContain("conntrack", "qdisc");
    }

    @Test
    void aNamespaceNotEnteredHasItsSysctlsAndLinksAbsentNotFailed() throws Exception {
        Settings settings = Settings.parse(List.of("--path.procfs=" + fixture(), "--collector.sockets.source=procfs"));
        var outside = Exporter.namespaceReader(settings, new dev.tcpfootgun.netns.NetnsRef(1, 4242, false, null), false).get();
        assertThat(outside.sysctls().state()).isEqualTo(Reading.State.ABSENT);
        assertThat(outside.sysctls().reason()).contains("not entered").contains("4242/net");
        assertThat(outside.interfaces().state()).isEqualTo(Reading.State.ABSENT);
        // the conntrack dump is read in the node's own namespace only: not part of another's reader at all
        assertThat(outside.readings()).extracting(Reading::collector)
                .containsExactlyElementsOf(ALL.stream().filter(c -> !c.equals("conntrack_entries")).toList());
    }

    @Test
    void aPodsAddressesAreItsNamespaceReadersCollectorAndNeverTheNodesOwn() throws Exception {
        Settings settings = Settings.parse(List.of("--path.procfs=" + fixture(), "--collector.sockets.source=procfs"));
        // the node's own addresses are not a pod's: not read, so no success series for it beside the node's collectors
        assertThat(Exporter.reader(settings).collectors()).doesNotContain("addresses");
        assertThat(Exporter.scraper(settings).assess().snapshot().readings()).extracting(Reading::collector).doesNotContain("addresses");
        for (boolean entered : new boolean[] {false, true}) {
            NodeSnapshot ns = Exporter.namespaceReader(settings, new dev.tcpfootgun.netns.NetnsRef(1, 4242, false, null), entered).get();
            // the fixture has no /proc/4242: the reading fails with the source's own reason, naming the pid's files
            assertThat(ns.get(Slot.ADDRESSES).state()).as("entered " + entered).isEqualTo(Reading.State.FAILED);
            assertThat(ns.get(Slot.ADDRESSES).reason()).contains("4242/net/fib_trie");
        }
        Settings off = Settings.parse(List.of("--path.procfs=" + fixture(), "--collector.sockets.source=procfs", "--no-collector.addresses"));
        assertThat(Exporter.namespaceReader(off, new dev.tcpfootgun.netns.NetnsRef(1, 4242, false, null), false).collectors())
                .doesNotContain("addresses");
    }
}

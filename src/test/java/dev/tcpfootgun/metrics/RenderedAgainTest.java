package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.Sysctls;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One renderer, scrape after scrape: the parts it makes again only for a new input (sysctls,
 * sockstat, conntrack, interfaces) show each scrape's values, and a part refused for its kernel
 * names is refused every scrape.
 */
class RenderedAgainTest {

    private final MetricsRenderer renderer = new MetricsRenderer("test", Rendered.NETNS_TOP, Rendered.TOP,
            DestinationLabels.of(DestinationLabelMode.PLAIN), Pattern.compile(Settings.DEFAULT_IGNORED_DEVICES));

    private static Reading<?>[] node(long somaxconn, String congestion, long inuse, long mtu, long conntrackCount, String sockstatField) {
        return new Reading<?>[] {
            ok("sysctl", new Sysctls(Map.of("net.core.somaxconn", Long.toString(somaxconn), "net.ipv4.tcp_congestion_control", congestion))),
            ok("sockstat", new Sockstat(Map.of("TCP", Map.of(sockstatField, inuse)))),
            ok("interfaces", List.of(new NetInterface("eth0", 2, mtu, "physical", true))),
            ok("conntrack", new Conntrack(conntrackCount, OptionalLong.of(262144), OptionalLong.empty(), OptionalLong.empty(),
                    Map.of("drop", conntrackCount), Conntrack.StatsOrigin.PROCFS, "", ""))};
    }

    private MetricSnapshots render(Reading<?>... readings) {
        return renderer.render(Rendered.assessment(readings));
    }

    private static MetricSnapshot family(MetricSnapshots s, String name) {
        return s.stream().filter(m -> m.getMetadata().getPrometheusName().equals(name)).findFirst().orElse(null);
    }

    private static Rendered rendered(MetricSnapshots s) {
        return Rendered.of(s);
    }

    @Test
    void aPartMadeAgainOnlyForANewInputShowsEachScrapesValues() {
        MetricSnapshots first = render(node(4096, "cubic", 5, 1500, 7, "inuse"));
        MetricSnapshots same = render(node(4096, "cubic", 5, 1500, 7, "inuse"));
        for (String name : List.of("footgun_sysctl_net_core_somaxconn", "footgun_sysctl", "footgun_sockstat_tcp_inuse",
                "footgun_network_mtu_bytes", "footgun_network", "footgun_conntrack_drop", "footgun_conntrack_entries")) {
            assertThat(family(first, name)).as(name).isNotNull();
            // an equal input: the same immutable families, not made again
            assertThat(family(same, name)).as(name).isSameAs(family(first, name));
        }
        Rendered changed = rendered(render(node(128, "bbr", 6, 9000, 8, "inuse")));
        assertThat(changed.gauge("footgun_sysctl_net_core_somaxconn")).containsEntry("", 128.0);
        assertThat(changed.info("footgun_sysctl")).containsExactly("name=\"net.ipv4.tcp_congestion_control\",value=\"bbr\"");
        assertThat(changed.gauge("footgun_sockstat_tcp_inuse")).containsEntry("", 6.0);
        assertThat(changed.gauge("footgun_network_mtu_bytes")).containsEntry("device=\"eth0\",kind=\"physical\"", 9000.0);
        assertThat(changed.counter("footgun_conntrack_drop")).containsEntry("", 8.0);
        assertThat(changed.gauge("footgun_conntrack_entries")).containsEntry("", 8.0);
        Rendered back = rendered(render(node(4096, "cubic", 5, 1500, 7, "inuse")));
        assertThat(back.gauge("footgun_sysctl_net_core_somaxconn")).containsEntry("", 4096.0);
        assertThat(back.gauge("footgun_network_mtu_bytes")).containsEntry("device=\"eth0\",kind=\"physical\"", 1500.0);
    }

    /** A sockstat field named so that its metric would end in _total refuses sockstat, in every scrape, kept or not. */
    @Test
    void aRefusedPartIsRefusedEveryScrape() {
        for (int i = 0; i < 3; i++) {
            Rendered r = rendered(render(node(4096, "cubic", 5, 1500, 7, "total")));
            assertThat(r.has("footgun_sockstat_tcp_total")).as("scrape " + i).isFalse();
            assertThat(r.gauge("footgun_scrape_collector_success")).as("scrape " + i).containsEntry("collector=\"sockstat\"", 0.0)
                    .containsEntry("collector=\"sysctl\"", 1.0);
        }
        assertThat(rendered(render(node(4096, "cubic", 5, 1500, 7, "inuse"))).gauge("footgun_scrape_collector_success"))
                .containsEntry("collector=\"sockstat\"", 1.0);
    }
}

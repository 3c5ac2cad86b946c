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

    private static Reading<Conntrack> conntrack(long max, long buckets, long timeWait, Conntrack.StatsOrigin origin, long drop) {
        return ok("conntrack", new Conntrack(7, OptionalLong.of(max), OptionalLong.of(buckets), OptionalLong.of(timeWait),
                Map.of("drop", drop), origin, "", ""));
    }

    /** Each field the conntrack families show, changed alone, shows in the next scrape. */
    @Test
    void everyConntrackFieldShownIsComparedAlone() {
        Rendered first = rendered(render(conntrack(100, 10, 120, Conntrack.StatsOrigin.PROCFS, 1)));
        assertThat(first.gauge("footgun_conntrack_entries_limit")).containsEntry("", 100.0);
        assertThat(rendered(render(conntrack(200, 10, 120, Conntrack.StatsOrigin.PROCFS, 1))).gauge("footgun_conntrack_entries_limit"))
                .containsEntry("", 200.0);
        assertThat(rendered(render(conntrack(200, 20, 120, Conntrack.StatsOrigin.PROCFS, 1))).gauge("footgun_conntrack_buckets"))
                .containsEntry("", 20.0);
        assertThat(rendered(render(conntrack(200, 20, 60, Conntrack.StatsOrigin.PROCFS, 1)))
                .gauge("footgun_conntrack_tcp_timeout_time_wait_seconds")).containsEntry("", 60.0);
        assertThat(rendered(render(conntrack(200, 20, 60, Conntrack.StatsOrigin.NETLINK, 1))).info("footgun_conntrack_stats_source"))
                .containsExactly("source=\"netlink\"");
        assertThat(rendered(render(conntrack(200, 20, 60, Conntrack.StatsOrigin.NETLINK, 2))).counter("footgun_conntrack_drop"))
                .containsEntry("", 2.0);
    }

    private static Reading<List<NetInterface>> links(NetInterface... links) {
        return ok("interfaces", List.of(links));
    }

    /** Each interface field the families show, and the qdiscs, changed alone, show in the next scrape. */
    @Test
    void everyInterfaceFieldShownIsComparedAlone() {
        Reading<?> qdiscs = ok("qdisc", List.of(new dev.tcpfootgun.snapshot.Qdisc(2, 0, dev.tcpfootgun.snapshot.Qdisc.TC_H_ROOT, "fq")));
        Reading<?> otherQdiscs = ok("qdisc", List.of(new dev.tcpfootgun.snapshot.Qdisc(2, 0, dev.tcpfootgun.snapshot.Qdisc.TC_H_ROOT, "pfifo_fast")));
        assertThat(rendered(render(links(new NetInterface("eth0", 2, 1500, "physical", true)), qdiscs)).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth0\",kind=\"physical\",operstate=\"up\",root_qdisc=\"fq\"");
        assertThat(rendered(render(links(new NetInterface("eth0", 2, 1500, "physical", true)), otherQdiscs)).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth0\",kind=\"physical\",operstate=\"up\",root_qdisc=\"pfifo_fast\"");
        assertThat(rendered(render(links(new NetInterface("eth0", 2, 1500, "physical", false)), otherQdiscs)).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth0\",kind=\"physical\",operstate=\"down\",root_qdisc=\"pfifo_fast\"");
        assertThat(rendered(render(links(new NetInterface("eth0", 2, 1500, "vxlan", false)), otherQdiscs)).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth0\",kind=\"vxlan\",operstate=\"down\",root_qdisc=\"pfifo_fast\"");
        assertThat(rendered(render(links(new NetInterface("eth1", 2, 1500, "vxlan", false)), otherQdiscs)).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth1\",kind=\"vxlan\",operstate=\"down\",root_qdisc=\"pfifo_fast\"");
        // another ifindex: no qdisc listed for it
        assertThat(rendered(render(links(new NetInterface("eth1", 3, 1500, "vxlan", false)), otherQdiscs)).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth1\",kind=\"vxlan\",operstate=\"down\",root_qdisc=\"none\"");
        assertThat(rendered(render(links(new NetInterface("eth1", 3, 1500, "vxlan", false)),
                Reading.failed("qdisc", "no rtnetlink", 0))).info("footgun_network"))
                .containsExactly("child_qdiscs=\"\",device=\"eth1\",kind=\"vxlan\",operstate=\"down\",root_qdisc=\"unknown\"");
    }
}

package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.ok;
import static dev.tcpfootgun.metrics.Rendered.socket;
import static dev.tcpfootgun.metrics.Rendered.sockets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.Pod;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.NamespaceAssessment;
import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * NamespaceFamilies (--collector.netns): the node's namespace and two pods', {@link Rendered#NETNS_TOP}
 * of them with their own series, the third summed into netns="other".
 */
class NamespaceFamiliesTest {

    static final String POD_A = "4026532400";

    static Finding pmtu(double risk) {
        return Finding.of(Footgun.PMTU_BLACKHOLE, risk, List.of("measured"), "fix");
    }

    static NamespaceAssessment namespace(NetnsRef ref, Access access, List<String> ips, double risk, int tcpInfo,
            Reading<?>... readings) {
        List<Reading<?>> all = new java.util.ArrayList<>(List.of(readings));
        if (access != Access.OWN) {
            all.add(Reading.ok("addresses", ips, 0, 0)); // the node's own reader has no addresses collector
        }
        Observation o = Rendered.observation(all.toArray(Reading<?>[]::new));
        return new NamespaceAssessment(ref, o, List.of(pmtu(risk)), access, tcpInfo);
    }

    static Assessment node() {
        Reading<?>[] host = {sockets(socket(TcpState.TIME_WAIT, "10.0.0.5", 40000, "10.0.0.9", 80, null),
                socket(TcpState.TIME_WAIT, "10.0.0.5", 40001, "10.0.0.9", 80, null)),
            ok("conntrack", new Conntrack(5, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Map.of(),
                    Conntrack.StatsOrigin.NONE, "no statistics in this test", "no limit in this test"))};
        NamespaceAssessment own = namespace(new NetnsRef(4026531840L, 1, true, null), Access.OWN, List.of(), 0.3, 0, host);
        NamespaceAssessment a = namespace(new NetnsRef(4026532400L, 1000, false, new Pod("uid-a", "shop", "cart-a")), Access.SETNS,
                List.of("10.244.0.2"), 0.5, 1, sockets(socket(TcpState.ESTABLISHED, "10.244.0.2", 41000, "10.0.0.9", 80,
                        Rendered.tcpInfo(248, 1000, 900, 10, 1000, 0, 10, 0, 0, 0))));
        NamespaceAssessment b = namespace(new NetnsRef(4026532401L, 1001, false, new Pod("uid-b", "shop", "cart-b")), Access.PROCFS,
                List.of("10.244.0.3"), 0.0, 0, sockets(socket(TcpState.TIME_WAIT, "10.244.0.3", 42000, "10.0.0.9", 80, null),
                        socket(TcpState.TIME_WAIT, "10.244.0.3", 42001, "10.0.0.9", 80, null),
                        socket(TcpState.TIME_WAIT, "10.244.0.3", 42002, "10.0.0.9", 80, null)),
                ok("sysctl", new dev.tcpfootgun.snapshot.Sysctls(Map.of())));
        return new Assessment(own.observation(), List.of(pmtu(0.5)), Map.of(), List.of(own, a, b), 1);
    }

    @Test
    void theTopNamespacesByRiskHaveSeriesTheRestSumIntoOther() {
        Rendered r = Rendered.of(node());
        assertThat(r.gauge("footgun_netns_namespaces")).containsExactly(entry("", 3.0));
        assertThat(r.info("footgun_netns")).containsExactly(
                "access=\"own\",netns=\"host\",pid=\"1\",pod_ips=\"\",pod_name=\"\",pod_namespace=\"\",pod_uid=\"\"",
                "access=\"setns\",netns=\"" + POD_A + "\",pid=\"1000\",pod_ips=\"10.244.0.2\",pod_name=\"cart-a\",pod_namespace=\"shop\",pod_uid=\"uid-a\"");
        assertThat(r.gauge("footgun_netns_risk_ratio")).containsExactly(
                entry("footgun=\"pmtu_blackhole\",netns=\"" + POD_A + "\"", 0.5),
                entry("footgun=\"pmtu_blackhole\",netns=\"host\"", 0.3),
                entry("footgun=\"pmtu_blackhole\",netns=\"other\"", 0.0));
        Map<String, Double> states = r.gauge("footgun_netns_tcp_sockets");
        assertThat(states).containsEntry("netns=\"host\",state=\"time_wait\"", 2.0)
                .containsEntry("netns=\"" + POD_A + "\",state=\"established\"", 1.0)
                .containsEntry("netns=\"other\",state=\"time_wait\"", 3.0)
                .containsEntry("netns=\"other\",state=\"established\"", 0.0);
        // every known state for each of the three netns labels, never "unknown"
        assertThat(states).hasSize(3 * (TcpState.values().length - 1));
        assertThat(r.gauge("footgun_netns_tcp_time_wait_sockets")).containsExactly(
                entry("direction=\"other\",dst_ip=\"other\",dst_port=\"other\",netns=\"" + POD_A + "\"", 0.0),
                entry("direction=\"other\",dst_ip=\"other\",dst_port=\"other\",netns=\"host\"", 0.0),
                entry("direction=\"other\",dst_ip=\"other\",dst_port=\"other\",netns=\"other\"", 3.0),
                entry("direction=\"outbound\",dst_ip=\"10.0.0.9\",dst_port=\"80\",netns=\"host\"", 2.0));
        // conntrack is read in the node's namespace only here; the summed rest has none
        assertThat(r.gauge("footgun_netns_conntrack_entries")).containsExactly(
                entry("netns=\"host\"", 5.0), entry("netns=\"other\"", 0.0));
        assertThat(r.gauge("footgun_netns_tcp_info_sockets")).containsExactly(
                entry("netns=\"" + POD_A + "\"", 1.0), entry("netns=\"host\"", 0.0), entry("netns=\"other\"", 0.0));
        assertThat(r.gauge("footgun_netns_scrape_collector_success")).containsExactly(
                entry("collector=\"addresses\",netns=\"" + POD_A + "\"", 1.0),
                entry("collector=\"conntrack\",netns=\"host\"", 1.0),
                entry("collector=\"sockets\",netns=\"" + POD_A + "\"", 1.0),
                entry("collector=\"sockets\",netns=\"host\"", 1.0));
        assertThat(r.info("footgun_risk_worst_netns")).containsExactly(
                "footgun=\"pmtu_blackhole\",netns=\"" + POD_A + "\",pod_name=\"cart-a\",pod_namespace=\"shop\"");
    }

    @Test
    void aNamespaceReadWithoutSetnsHasItsSysctlsAssumedNotRead() {
        Assessment a = node();
        // netns top 3: the procfs-read pod gets its own series
        Rendered r = Rendered.of(a, 3);
        assertThat(r.gauge("footgun_netns_scrape_collector_success"))
                .containsEntry("collector=\"sysctl\",netns=\"4026532401\"", 0.0)
                .containsEntry("collector=\"sockets\",netns=\"4026532401\"", 1.0);
        assertThat(r.gauge("footgun_netns_tcp_sockets")).doesNotContainKey("netns=\"other\",state=\"time_wait\"");
    }

    @Test
    void withoutNamespaceReadingNoNamespaceFamilies() {
        Rendered r = Rendered.of(Rendered.assessment(List.of(pmtu(0.3)), List.of(), sockets()));
        assertThat(r.namesStartingWith("footgun_netns")).isEmpty();
        assertThat(r.has("footgun_risk_worst_netns")).isFalse();
        assertThat(r.gauge("footgun_risk_ratio")).containsExactly(entry("footgun=\"pmtu_blackhole\"", 0.3));
    }
}

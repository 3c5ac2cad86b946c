package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Reading;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The interface and qdisc part of MetricsRenderer: footgun_network_mtu_bytes and footgun_network_info. */
class InterfaceFamiliesTest {
    static final long ROOT = Qdisc.TC_H_ROOT;

    static Reading<List<NetInterface>> links() {
        return ok("interfaces", List.of(new NetInterface("lo", 1, 65536, "loopback", true),
                new NetInterface("eth0", 2, 9001, "physical", true),
                new NetInterface("vx0", 3, 1450, "vxlan", false),
                new NetInterface("veth1a2b", 4, 1500, "veth", true), // a pod's veth: judged, never a series
                new NetInterface("br0", 5, 1500, null, true)));
    }

    static Reading<List<Qdisc>> qdiscs() {
        return ok("qdisc", List.of(new Qdisc(1, 0, ROOT, "noqueue"),
                new Qdisc(2, 0x00010000L, ROOT, "mq"), new Qdisc(2, 0x80010000L, 0x00010001L, "fq"),
                new Qdisc(2, 0x80020000L, 0x00010002L, "fq_codel"), new Qdisc(2, 0xFFFF0000L, Qdisc.TC_H_INGRESS, "ingress"),
                new Qdisc(4, 0, ROOT, "noqueue")));
    }

    @Test
    void eachInterfacesMtuAndItsEgressQdiscs() {
        Rendered r = Rendered.of(links(), qdiscs());
        assertThat(r.gauge("footgun_network_mtu_bytes")).containsExactly(
                entry("device=\"br0\",kind=\"unknown\"", 1500.0), entry("device=\"eth0\",kind=\"physical\"", 9001.0),
                entry("device=\"lo\",kind=\"loopback\"", 65536.0), entry("device=\"vx0\",kind=\"vxlan\"", 1450.0));
        assertThat(r.family("footgun_network_mtu_bytes", GaugeSnapshot.class).getMetadata().getUnit().toString()).isEqualTo("bytes");
        // mq's per-queue children, never ingress; an interface with no qdisc listed has root "none"
        assertThat(r.info("footgun_network")).containsExactly(
                "child_qdiscs=\"\",device=\"br0\",kind=\"unknown\",operstate=\"up\",root_qdisc=\"none\"",
                "child_qdiscs=\"\",device=\"lo\",kind=\"loopback\",operstate=\"up\",root_qdisc=\"noqueue\"",
                "child_qdiscs=\"\",device=\"vx0\",kind=\"vxlan\",operstate=\"down\",root_qdisc=\"none\"",
                "child_qdiscs=\"fq,fq_codel\",device=\"eth0\",kind=\"physical\",operstate=\"up\",root_qdisc=\"mq\"");
        assertThat(r.gauge("footgun_scrape_collector_success")).containsEntry("collector=\"interfaces\"", 1.0)
                .containsEntry("collector=\"qdisc\"", 1.0);
    }

    @Test
    void qdiscsNotReadAreUnknownNotNone() {
        Rendered r = Rendered.of(links(), Reading.failed("qdisc", "qdiscs need rtnetlink", 0));
        assertThat(r.info("footgun_network")).allMatch(s -> s.contains("root_qdisc=\"unknown\"") && s.contains("child_qdiscs=\"\""))
                .hasSize(4);
        assertThat(r.gauge("footgun_scrape_collector_success")).containsEntry("collector=\"qdisc\"", 0.0);
    }

    @Test
    void noInterfacesReadNoInterfaceFamilies() {
        for (Rendered r : List.of(Rendered.of(Reading.failed("interfaces", "sysfs unreadable", 0), qdiscs()),
                Rendered.of(ok("interfaces", List.<NetInterface>of()), qdiscs()),
                Rendered.of(ok("interfaces", List.of(new NetInterface("veth9", 9, 1500, "veth", true))), qdiscs()))) {
            assertThat(r.has("footgun_network_mtu_bytes")).isFalse();
            assertThat(r.has("footgun_network")).isFalse();
        }
    }
}

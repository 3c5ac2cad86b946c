package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.Qdisc;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The one egress-qdisc rule: the root, or under mq/mqprio the child of each TX queue; nothing deeper. */
class EgressQdiscTest {
    static final long ROOT = Qdisc.TC_H_ROOT;

    static Map<Integer, EgressQdisc> of(Qdisc... qdiscs) {
        return EgressQdisc.byInterface(List.of(qdiscs));
    }

    @Test
    void anFqRootPacesAndIngressOrClsactBesideItChangesNothing() {
        EgressQdisc q = of(new Qdisc(2, 0x80010000L, ROOT, "fq"), new Qdisc(2, 0xFFFF0000L, Qdisc.TC_H_INGRESS, "clsact")).get(2);
        assertThat(q).isEqualTo(new EgressQdisc("fq", List.of()));
        assertThat(q.paced()).isTrue();
        assertThat(q.describe()).isEqualTo("fq");
        assertThat(q.queueKinds()).isEmpty();
    }

    @Test
    void mqPacesOnlyWhenEveryQueueHasFq() {
        Map<Integer, EgressQdisc> all = of(new Qdisc(2, 0x00010000L, ROOT, "mq"), new Qdisc(2, 0x80020000L, 0x00010001L, "fq"),
                new Qdisc(2, 0x80030000L, 0x00010002L, "fq"),
                // mqprio, default-attached (handle 0:): its children's parents are :1, :2
                new Qdisc(3, 0, ROOT, "mqprio"), new Qdisc(3, 0, 0x00000001L, "fq"), new Qdisc(3, 0, 0x00000002L, "fq"),
                new Qdisc(3, 0xFFFF0000L, Qdisc.TC_H_INGRESS, "ingress"));
        assertThat(all.get(2).paced()).isTrue();
        assertThat(all.get(2).queueKinds()).isEqualTo("fq");
        assertThat(all.get(3).paced()).isTrue();
        assertThat(all.get(3).queues()).containsExactly("fq", "fq");

        EgressQdisc mixed = of(new Qdisc(4, 0x00010000L, ROOT, "mq"), new Qdisc(4, 0x80040000L, 0x00010001L, "fq_codel"),
                new Qdisc(4, 0x80050000L, 0x00010002L, "fq"), new Qdisc(4, 0x80060000L, 0x00010003L, "fq")).get(4);
        assertThat(mixed.paced()).as("a flow hashed to the fq_codel queue goes unpaced").isFalse();
        assertThat(mixed.describe()).isEqualTo("mq with children 2 fq, 1 fq_codel");
        assertThat(mixed.queueKinds()).isEqualTo("fq,fq_codel");
        assertThat(mixed.multiqueue()).isTrue();
    }

    @Test
    void belowAPerQueueQdiscNothingCountsAndAClassfulRootIsJudgedByItself() {
        // mq 1: with htb 30: on queue 3, fq 31: under htb's class 30:1 (htb's other classes would use unlisted pfifos)
        EgressQdisc nested = of(new Qdisc(2, 0x00010000L, ROOT, "mq"), new Qdisc(2, 0, 0x00010001L, "pfifo_fast"),
                new Qdisc(2, 0, 0x00010002L, "pfifo_fast"), new Qdisc(2, 0x00300000L, 0x00010003L, "htb"),
                new Qdisc(2, 0x00310000L, 0x00300001L, "fq")).get(2);
        assertThat(nested.queues()).containsExactly("htb", "pfifo_fast", "pfifo_fast");
        assertThat(nested.queueKinds()).isEqualTo("htb,pfifo_fast");
        assertThat(nested.describe()).isEqualTo("mq with children 1 htb, 2 pfifo_fast");
        assertThat(nested.paced()).isFalse();

        EgressQdisc htb = of(new Qdisc(5, 0x00010000L, ROOT, "htb"), new Qdisc(5, 0x00100000L, 0x00010010L, "fq")).get(5);
        assertThat(htb).isEqualTo(new EgressQdisc("htb", List.of()));
        assertThat(htb.paced()).isFalse();
        assertThat(htb.describe()).isEqualTo("htb");
    }

    @Test
    void anInterfaceWithoutAListedQdiscIsAbsentAndMqWithoutChildrenIsNotPaced() {
        Map<Integer, EgressQdisc> byIf = of(new Qdisc(2, 0x00020000L, ROOT, "mq"), new Qdisc(3, 0, ROOT, "noqueue"));
        assertThat(byIf).doesNotContainKey(4);
        assertThat(EgressQdisc.NONE.describe()).isEqualTo("none");
        assertThat(EgressQdisc.NONE.paced()).isFalse();
        assertThat(byIf.get(2).describe()).isEqualTo("mq without visible children");
        assertThat(byIf.get(2).paced()).isFalse();
        assertThat(byIf.get(3).describe()).isEqualTo("noqueue");
        // a child of another interface's mq is not this one's
        assertThat(of(new Qdisc(2, 0x00010000L, ROOT, "mq"), new Qdisc(3, 0x00010000L, ROOT, "pfifo"),
                new Qdisc(3, 0x80010000L, 0x00010001L, "fq")).get(2).queues()).isEmpty();
    }

    /** The check and footgun_network_info read the same derivation: what the page names, the series lists. */
    @Test
    void thePageAndTheSeriesAgreeOnANestedMqTheOldRendererListedDeeper() throws IOException {
        Snapshots s = Snapshots.node().netlink().sysctl("net.ipv4.tcp_congestion_control", "bbr").sysctl("kernel.osrelease", "6.18.0")
                .link("lo", 1, 65536, "loopback", true).link("eth0", 2, 1500, "physical", true).link("eth1", 3, 1500, "physical", true)
                .qdisc(1, 0, ROOT, "noqueue")
                .qdisc(2, 0x00010000L, ROOT, "mq").qdisc(2, 0x00300000L, 0x00010001L, "htb").qdisc(2, 0x00310000L, 0x00300001L, "bfifo")
                .qdisc(2, 0, 0x00010002L, "pfifo_fast")
                .qdisc(3, 0x00010000L, ROOT, "mq").qdisc(3, 0x80010000L, 0x00010001L, "fq").qdisc(3, 0x80020000L, 0x00010002L, "fq");
        Observation o = Snapshots.observe(s.build(), null);
        Finding f = new BbrWithoutFqCheck().judge(o);
        assertThat(f.evidence()).contains("on fq: eth1", "BBR sends without fq through eth0 (root mq with children 1 htb, 1 pfifo_fast)");

        MetricsRenderer r = new MetricsRenderer("test", 10, 20, DestinationLabels.of(DestinationLabelMode.PLAIN), Pattern.compile("^veth"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, r.render(new Assessment(o, List.of(f), Map.of(), List.of(), 1)));
        String text = out.toString(StandardCharsets.UTF_8);
        // bfifo sits under htb's class, not on a queue: the series no longer lists it
        assertThat(text).contains("footgun_network_info{child_qdiscs=\"htb,pfifo_fast\",device=\"eth0\",kind=\"physical\",operstate=\"up\",root_qdisc=\"mq\"} 1")
                .contains("footgun_network_info{child_qdiscs=\"fq\",device=\"eth1\",kind=\"physical\",operstate=\"up\",root_qdisc=\"mq\"} 1");
    }
}

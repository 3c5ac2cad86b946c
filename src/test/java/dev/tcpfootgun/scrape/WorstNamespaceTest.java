package dev.tcpfootgun.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Footgun;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The worst namespace per footgun: one rule, keyed by footgun, for the node-wide finding and the worst_netns series. */
class WorstNamespaceTest {

    static NamespaceAssessment ns(long inode, boolean host, Finding... findings) {
        Observation o = new Observation(NodeSnapshot.failed(0, List.of("sockets"), "test"), null);
        return new NamespaceAssessment(new NetnsRef(inode, inode, host, null), o, List.of(findings),
                host ? Access.OWN : Access.PROCFS, 0);
    }

    static Finding risk(Footgun f, double r) {
        return Finding.of(f, r, List.of("r=" + r), "fix");
    }

    @Test
    void theWorstIsFoundByFootgunWhateverOrderOrSubsetEachNamespaceJudged() {
        NamespaceAssessment own = ns(1, true, risk(Footgun.PMTU_BLACKHOLE, 0.3), risk(Footgun.TW_RECYCLE_NAT, 0.5),
                Finding.unknown(Footgun.CONNTRACK_TABLE_FULL, "absent", ""));
        // another order, one footgun missing: index alignment would pair tw_recycle_nat with pmtu_blackhole
        NamespaceAssessment pod = ns(2, false, risk(Footgun.TW_RECYCLE_NAT, 0.8), risk(Footgun.CONNTRACK_TABLE_FULL, 0.2));
        NamespaceAssessment tie = ns(3, false, risk(Footgun.PMTU_BLACKHOLE, 0.3));
        var worst = Assessment.worstByFootgun(List.of(own, pod, tie));
        assertThat(worst.get(Footgun.TW_RECYCLE_NAT)).isSameAs(pod);
        assertThat(worst.get(Footgun.PMTU_BLACKHOLE)).isSameAs(own); // a tie stays with the first listed, our own
        assertThat(worst.get(Footgun.CONNTRACK_TABLE_FULL)).isSameAs(pod); // unknown in our own: the one that knows
        assertThat(worst).doesNotContainKey(Footgun.BBR_WITHOUT_FQ);

        List<Finding> node = Scraper.worstOf(List.of(own, pod, tie));
        assertThat(node).extracting(Finding::footgun)
                .containsExactly(Footgun.PMTU_BLACKHOLE, Footgun.TW_RECYCLE_NAT, Footgun.CONNTRACK_TABLE_FULL);
        assertThat(node.get(1).risk()).isEqualTo(0.8);
        assertThat(node.get(1).evidence().getFirst()).startsWith("worst in ");
        assertThat(node.get(0).evidence()).containsExactly("r=0.3");
    }
}

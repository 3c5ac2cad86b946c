package dev.tcpfootgun.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.footgun.Checks;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.netns.Access;
import dev.tcpfootgun.netns.NetnsRef;
import dev.tcpfootgun.netns.NetnsScanner;
import dev.tcpfootgun.netns.Pod;
import dev.tcpfootgun.netns.PodAddresses;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pod IP to pod, as the SNAT view joins conntrack entries to pods: every namespace but the node's own. */
class PodAddressesTest {

    @Test
    void eachPodIpLeadsToItsNamespaceAndPodAndTheNodesOwnAreLeftOut() {
        Pod cart = new Pod("u-1", "shop", "cart-1");
        NetnsRef host = new NetnsRef(1, 1, true, null);
        NetnsRef a = new NetnsRef(2, 100, false, cart);
        NetnsRef b = new NetnsRef(3, 200, false, null);
        Assessment assessment = new Assessment(observation(), List.of(), Map.of(),
                List.of(ns(host, Access.OWN, Reading.ok("addresses", List.of("192.0.2.1"), 0, 0)),
                        ns(a, Access.PROCFS, Reading.ok("addresses", List.of("10.244.1.7", "fd00::7"), 0, 0)),
                        ns(b, Access.SETNS, Reading.failed("addresses", "gone", 0))), 1);
        PodAddresses pods = assessment.podAddresses();
        assertThat(pods.byIp()).containsOnlyKeys("10.244.1.7", "fd00::7");
        assertThat(pods.podOf("10.244.1.7")).contains(cart);
        assertThat(pods.namespaceOf("fd00::7")).contains(a);
        assertThat(pods.podOf("192.0.2.1")).isEmpty();
    }

    private static Observation observation() {
        return new Observation(NodeSnapshot.failed(0, List.of("sockets", "sysctl"), "test"), null);
    }

    private static NamespaceAssessment ns(NetnsRef ref, Access access, Reading<List<String>> addresses) {
        Observation o = observation();
        Observation withAddresses = new Observation(o.now().with(addresses), null);
        return new NamespaceAssessment(ref, withAddresses, Checks.all().judge(o), access, 0);
    }
}

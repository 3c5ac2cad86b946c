package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NatTopology;
import dev.tcpfootgun.testing.NetNs;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who fills the table: two client namespaces standing in for pods send UDP to one destination
 * through a masquerading router, 30 flows from one and 12 from the other, plus 5 IPv6 flows. The
 * exporter in the router's namespace must name that destination first with the entries `conntrack
 * -L` lists there, its two sources with their own counts, and the IPv6 destination beside it; the
 * doctor's conntrack_table_full evidence must say the same.
 */
class ConntrackFillersIT {
    static final int PORT = 5353;
    static final int FIRST = 30;
    static final int SECOND = 12;
    static final int V6 = 5;
    static final int EXPORTER = 9972;

    @Test
    void topDestinationAndItsSourcesAreNamedWithConntrackCounts() throws Exception {
        String why = NatTopology.unavailableReason();
        assumeTrue(why == null, why);
        try (NatTopology t = NatTopology.create("fg-fill", 2)) {
            NetNs router = t.router();
            router.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", t.routerOut(), "-p", "udp", "-j", "MASQUERADE");
            // conntrack tracks a family in a namespace only once a rule there needs it
            router.exec("ip6tables", "-t", "nat", "-A", "POSTROUTING", "-o", t.routerOut(), "-p", "udp", "-j", "MASQUERADE");
            send(t.clients().get(0), NatTopology.SERVER, FIRST);
            send(t.clients().get(1), NatTopology.SERVER, SECOND);
            send(t.clients().get(0), NatTopology.SERVER6, V6);
            int listed = t.conntrackCount("udp ", "dst=" + NatTopology.SERVER + " ", "dport=" + PORT + " ");
            assertThat(listed).as("conntrack -L entries to the destination").isEqualTo(FIRST + SECOND);
            int listed6 = t.conntrackCount("udp ", "dst=" + NatTopology.SERVER6 + " ", "dport=" + PORT + " ");
            assertThat(listed6).isEqualTo(V6);
            try (ExporterProcess exporter = ExporterProcess.start(router, "--web.listen-address=127.0.0.1:" + EXPORTER,
                    "--destinations.top=3")) {
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(router, EXPORTER));
                String port = Integer.toString(PORT);
                assertThat(m.get("footgun_conntrack_destination_entries", "dst_ip", NatTopology.SERVER, "dst_port", port,
                        "protocol", "udp")).hasValue(listed);
                assertThat(m.get("footgun_conntrack_destination_entries", "dst_ip", NatTopology.SERVER6, "dst_port", port,
                        "protocol", "udp")).hasValue(listed6);
                assertThat(m.get("footgun_conntrack_destination_source_entries", "dst_ip", NatTopology.SERVER, "dst_port", port,
                        "namespace", "", "pod", "unknown", "protocol", "udp", "src_ip", NatTopology.client(0))).hasValue(FIRST);
                assertThat(m.get("footgun_conntrack_destination_source_entries", "dst_ip", NatTopology.SERVER, "dst_port", port,
                        "namespace", "", "pod", "unknown", "protocol", "udp", "src_ip", NatTopology.client(1))).hasValue(SECOND);
                assertThat(m.get("footgun_conntrack_destination_source_entries", "dst_ip", NatTopology.SERVER6, "dst_port", port,
                        "namespace", "", "pod", "unknown", "protocol", "udp", "src_ip", NatTopology.client6(0))).hasValue(V6);
                // the UDP flows are masqueraded: one NAT group, its ports from the kernel's default range
                assertThat(m.get("footgun_snat_ports_held", "dst_ip", NatTopology.SERVER, "dst_port", port, "protocol", "udp",
                        "src_ip", NatTopology.ROUTER_OUT)).hasValue(listed);
                assertThat(m.get("footgun_snat_ports_usable", "dst_ip", NatTopology.SERVER, "dst_port", port, "protocol", "udp",
                        "src_ip", NatTopology.ROUTER_OUT)).hasValue(65535 - 1024 + 1);
                assertThat(m.get("footgun_conntrack_dump_entries", "protocol", "udp", "state", "unreplied"))
                        .hasValue(FIRST + SECOND + V6);
                assertThat(m.get("footgun_snat_ports_held", "dst_ip", NatTopology.SERVER6, "dst_port", port, "protocol", "udp",
                        "src_ip", NatTopology.ROUTER_OUT6)).hasValue(listed6);
                PortExhaustionIT.checkWithPromtool(m.text());
            }
            // doctor exits non-zero on findings; only its report matters here
            Process p = new ProcessBuilder(router.prefixed(ExporterProcess.java(), "--enable-native-access=ALL-UNNAMED", "-jar",
                    ExporterProcess.JAR.toString(), "doctor")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String doctor = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor();
            assertThat(doctor).contains("udp " + NatTopology.SERVER + ":" + PORT + " holds " + listed + " of ")
                    .contains(NatTopology.client(0) + " (pod unknown) " + FIRST)
                    .contains(NatTopology.client(1) + " (pod unknown) " + SECOND);
        }
    }

    /** {@code flows} UDP datagrams to host:PORT from the namespace, each from its own socket (its own source port). */
    static void send(NetNs ns, String host, int flows) throws Exception {
        ns.call(() -> {
            InetAddress to = InetAddress.getByName(host);
            for (int i = 0; i < flows; i++) {
                try (DatagramSocket s = new DatagramSocket()) {
                    byte[] b = {1};
                    s.send(new DatagramPacket(b, 1, to, PORT));
                }
            }
            return List.of();
        });
    }
}

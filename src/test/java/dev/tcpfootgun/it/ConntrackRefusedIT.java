package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conntrack dump without CAP_NET_ADMIN: the exporter as uid 65534 with no capabilities in a
 * namespace whose table is active. The kernel refuses the dump (EPERM); the collector reports
 * success 0 on every scrape, snat_port_exhaustion is unknown, the rest of the scrape answers, and
 * the reason is logged once, not once per scrape. With --no-collector.conntrack_entries the dump is
 * not attempted at all.
 */
class ConntrackRefusedIT {
    static final List<String> UNPRIVILEGED = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all", "--ambient-caps=-all");

    @Test
    void withoutNetAdminTheDumpFailsQuietlyAndOnce() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        assumeTrue(Cmd.available("setpriv") && Cmd.available("iptables"), "needs setpriv and iptables");
        try (NetNs ns = NetNs.create("fg-ctref")) {
            // a rule that needs conntrack, so the namespace's table is active
            ns.exec("iptables", "-A", "INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED", "-j", "ACCEPT");
            try (ExporterProcess e = ExporterProcess.start(ns, UNPRIVILEGED, "--web.listen-address=127.0.0.1:9973")) {
                MetricsText m = null;
                for (int i = 0; i < 3; i++) {
                    m = MetricsText.parse(PortExhaustionIT.scrape(ns, 9973));
                    assertThat(m.get("footgun_scrape_collector_success", "collector", "conntrack_entries")).hasValue(0);
                    assertThat(m.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);
                }
                assertThat(m.get("footgun_finding_status", "footgun", "snat_port_exhaustion", "footgun_finding_status", "unknown"))
                        .hasValue(1);
                assertThat(m.has("footgun_risk_ratio{footgun=\"snat_port_exhaustion\"}")).isFalse();
                assertThat(m.has("footgun_snat_")).isFalse();
                List<String> lines = e.log().stream().filter(l -> l.contains("conntrack_entries")
                        && l.contains("CAP_NET_ADMIN")).toList();
                assertThat(lines).as(String.join("\n", e.log())).hasSize(1);
            }
            try (ExporterProcess off = ExporterProcess.start(ns, UNPRIVILEGED, "--web.listen-address=127.0.0.1:9974",
                    "--no-collector.conntrack_entries")) {
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, 9974));
                assertThat(m.get("footgun_scrape_collector_success", "collector", "conntrack_entries")).isEmpty();
                assertThat(m.get("footgun_finding_status", "footgun", "snat_port_exhaustion", "footgun_finding_status", "unknown"))
                        .hasValue(1);
                assertThat(off.log()).noneMatch(l -> l.contains("conntrack_entries") && l.contains("CAP_NET_ADMIN"));
                assertThat(off.log()).anyMatch(l -> l.contains("switched off: conntrack_entries"));
            }
        }
    }
}

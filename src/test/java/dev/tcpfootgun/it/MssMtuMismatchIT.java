package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.ScrapedFindings;
import org.junit.jupiter.api.Test;

/**
 * Seed section 7 for real: a VXLAN interface bound to a veth keeps MTU 1500 when the veth under it
 * goes from 1550 to 1500 (the kernel sizes a vxlan only when it is created, and refuses 1500 over a
 * 1500 device then), so 1550-byte frames no longer fit: the exporter names it as advice (an interface
 * setting; no connection measured oversized).
 * After ip link set vx0 mtu 1450 it does not; a second vxlan created over the 1500-byte veth gets
 * 1450 from the kernel and is fine too. Addresses are 198.18.20.0/24; nothing leaves the namespaces.
 */
class MssMtuMismatchIT {

    static final int EXPORTER_PORT = 10071;
    static final String FOOTGUN = "mss_mtu_mismatch";

    @Test
    void vxlanAtTheUnderlaysMtuIsAdviceUntilLoweredBy50() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-mss"); NetNs peer = NetNs.create("fg-mssp")) {
            ns.exec("ip", "link", "add", "mv0", "mtu", "1550", "type", "veth", "peer", "name", "mv1", "netns", peer.name());
            ns.exec("ip", "addr", "add", "198.18.20.1/24", "dev", "mv0");
            peer.exec("ip", "addr", "add", "198.18.20.2/24", "dev", "mv1");
            ns.exec("ip", "link", "set", "mv0", "up");
            peer.exec("ip", "link", "set", "mv1", "up");
            ns.exec("ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "dev", "mv0", "dstport", "4789",
                    "local", "198.18.20.1", "remote", "198.18.20.2");
            ns.exec("ip", "link", "set", "mv0", "mtu", "1500");
            ns.exec("ip", "link", "set", "vx0", "up");
            assertThat(ns.exec("ip", "-o", "link", "show", "vx0")).contains("mtu 1500");

            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + EXPORTER_PORT)) {
                ScrapedFindings broken = ScrapedFindings.get(ns, EXPORTER_PORT);
                assertThat(broken.status(FOOTGUN)).isEqualTo("advice");
                assertThat(broken.risk(FOOTGUN)).isEqualTo(0.3);
                assertThat(broken.line(FOOTGUN))
                        .contains("vx0 (VXLAN) has MTU 1500 over mv0 MTU 1500: VXLAN needs 50 bytes, so 1550-byte frames are fragmented or dropped")
                        .contains("ip link set dev vx0 mtu 1450");
                MetricsText m = MetricsText.parse(PortExhaustionIT.scrape(ns, EXPORTER_PORT));
                assertThat(m.get("footgun_risk_ratio", "footgun", FOOTGUN)).hasValue(0.3);
                assertThat(m.get("footgun_network_mtu_bytes", "device", "vx0", "kind", "vxlan")).hasValue(1500);

                ns.exec("ip", "link", "set", "vx0", "mtu", "1450");
                ns.exec("ip", "link", "add", "vx1", "type", "vxlan", "id", "43", "dev", "mv0", "dstport", "4790",
                        "local", "198.18.20.1", "remote", "198.18.20.2");
                ns.exec("ip", "link", "set", "vx1", "up");
                assertThat(ns.exec("ip", "-o", "link", "show", "vx1")).contains("mtu 1450");
                ScrapedFindings fixed = ScrapedFindings.get(ns, EXPORTER_PORT);
                assertThat(fixed.status(FOOTGUN)).isEqualTo("ok");
                assertThat(fixed.risk(FOOTGUN)).isZero();
                assertThat(fixed.line(FOOTGUN)).contains("vx0 (VXLAN) has MTU 1450 over mv0 MTU 1500")
                        .contains("vx1 (VXLAN) has MTU 1450 over mv0 MTU 1500")
                        .contains("TCP's MSS through it is at most 1410");
            }
        }
    }
}

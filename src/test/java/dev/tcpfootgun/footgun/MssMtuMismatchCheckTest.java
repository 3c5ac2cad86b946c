package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import org.junit.jupiter.api.Test;

class MssMtuMismatchCheckTest {
    private final MssMtuMismatchCheck check = new MssMtuMismatchCheck();

    private Finding judge(Snapshots s) {
        return check.judge(Snapshots.observe(s.build(), null));
    }

    @Test
    void theSeedsEffectiveMssColumnFollowsFromTheOverheads() {
        int mtu = 1500;
        assertThat(mtu - KernelFacts.IP_TCP_HEADER_BYTES).isEqualTo(1460);
        assertThat(mtu - Encapsulation.VXLAN.smallest() - KernelFacts.IP_TCP_HEADER_BYTES).isEqualTo(1410);
        assertThat(mtu - Encapsulation.GRE.smallest() - KernelFacts.IP_TCP_HEADER_BYTES).isEqualTo(1436);
        assertThat(mtu - Encapsulation.WIREGUARD.smallest() - KernelFacts.IP_TCP_HEADER_BYTES).isEqualTo(1400);
        assertThat(mtu - Encapsulation.WIREGUARD.largest()).isEqualTo(1420); // wg-quick's default MTU: 80 over IPv6
        assertThat(mtu - Encapsulation.VTI.largest() - KernelFacts.IP_TCP_HEADER_BYTES).isEqualTo(1387);
        assertThat(mtu - Encapsulation.VTI.smallest() - KernelFacts.IP_TCP_HEADER_BYTES).isEqualTo(1408);
        assertThat(Encapsulation.ofKind("vxlan")).contains(Encapsulation.VXLAN);
        assertThat(Encapsulation.ofKind("veth")).isEmpty();
        assertThat(Encapsulation.ofKind(null)).isEmpty();
    }

    @Test
    void vxlanAtTheUnderlaysMtuIsAdvice() {
        Finding f = judge(Snapshots.node().link("lo", 1, 65536, "loopback", true).link("eth0", 2, 1500, "physical", true)
                .link("vx0", 3, 1500, "vxlan", true));
        assertThat(f.risk()).isEqualTo(Status.ADVICE_RISK);
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.evidence()).contains(
                "vx0 (VXLAN) has MTU 1500 over eth0 MTU 1500: VXLAN needs 50 bytes, so 1550-byte frames are fragmented or dropped");
        assertThat(f.fix()).contains("ip link set dev vx0 mtu 1450 (1430 over an IPv6 underlay)")
                .contains("--clamp-mss-to-pmtu").contains("ss -ti");
    }

    @Test
    void vxlanLoweredByItsOverheadIsFine() {
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("vx0", 3, 1450, "vxlan", true));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).contains("vx0 (VXLAN) has MTU 1450 over eth0 MTU 1500, room for its 50 bytes (not for the 70 it takes over an IPv6 underlay); TCP's MSS through it is at most 1410");
        assertThat(f.fix()).doesNotContain("ip link set");
    }

    @Test
    void wireguardThatFitsOnlyOverIpv4IsAdvice() {
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("wg0", 3, 1440, "wireguard", true));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.risk()).isEqualTo(Status.ADVICE_RISK);
        assertThat(String.join(" ", f.evidence())).contains("room for 60 bytes of WireGuard overhead, but it takes up to 80");
        assertThat(f.fix()).contains("ip link set dev wg0 mtu 1420");
        assertThat(judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("wg0", 3, 1420, "wireguard", true)).risk())
                .isZero();
    }

    @Test
    void greNeeds24Bytes() {
        assertThat(judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("gre1", 3, 1476, "gre", true)).risk()).isZero();
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("gre1", 3, 1500, "gre", true));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(f.fix()).contains("ip link set dev gre1 mtu 1476");
    }

    @Test
    void theLargestUpUnderlayCountsAndDownLinksDoNot() {
        // jumbo frames: 8951 fits 9001
        assertThat(judge(Snapshots.node().link("eth0", 2, 9001, "physical", true).link("vx0", 3, 8951, "vxlan", true)).risk()).isZero();
        // a down 9000-byte NIC does not carry the tunnel
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("eth1", 3, 9000, "physical", false)
                .link("vx0", 4, 1500, "vxlan", true));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        // a down tunnel carries nothing
        assertThat(judge(Snapshots.node().link("eth0", 2, 1500, "physical", true).link("vx0", 3, 1500, "vxlan", false)).risk()).isZero();
    }

    @Test
    void withoutAnUpUnderlayEthernetIsAssumedAndSaid() {
        Finding f = judge(Snapshots.node().link("lo", 1, 65536, "loopback", true).link("vx0", 3, 1500, "vxlan", true));
        assertThat(f.status()).isEqualTo(Status.ADVICE);
        assertThat(String.join(" ", f.evidence())).contains("an assumed MTU 1500 (no physical or veth interface is up)");
    }

    @Test
    void noTunnelMeansMssIsMtuMinus40() {
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true));
        assertThat(f.risk()).isZero();
        assertThat(f.evidence()).anySatisfy(e -> assertThat(e).contains("over eth0 MTU 1500 TCP's MSS is at most 1460"));
    }

    @Test
    void anMssAboveWhatThePathAllowsIsCriticalAndNamesTheDestination() {
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true)
                .socket(socket("10.0.0.9", 443, TcpInfos.info().path(1460, 1460, 1400))));
        assertThat(f.status()).isEqualTo(Status.CRITICAL);
        assertThat(String.join(" ", f.evidence()))
                .contains("1 connection sending segments larger than the path allows: 10.0.0.9:443: snd_mss 1460, path MTU 1400 allows 1360");
    }

    @Test
    void aPathMtuShrunkBelowTheAdvertisedMssIsEvidenceOnly() {
        Finding f = judge(Snapshots.node().link("eth0", 2, 1500, "physical", true)
                .socket(socket("10.0.0.9", 443, TcpInfos.info().path(1348, 1460, 1400))));
        assertThat(f.risk()).isZero();
        assertThat(String.join(" ", f.evidence())).contains("1 connection on a path MTU below the MSS advertised")
                .contains("10.0.0.9:443: path MTU 1400 allows MSS 1360, advertised 1460");
    }

    @Test
    void unknownWithoutInterfaces() {
        Finding f = judge(Snapshots.node());
        assertThat(f.status()).isEqualTo(Status.UNKNOWN);
        assertThat(f.missing()).isEqualTo("interfaces: interfaces missing in this test"); // the reading's own reason
    }

    static TcpSocket socket(String dst, int port, TcpInfos info) {
        return new TcpSocket(Family.INET, TcpState.ESTABLISHED, new Endpoint("10.0.0.7", 40000), new Endpoint(dst, port),
                0, 0, 0, 0, 0, info.build(), "cubic", null);
    }
}

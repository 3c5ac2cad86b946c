package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.doctor.Doctor;
import dev.tcpfootgun.doctor.FindingsJson;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NatPorts;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every check that names an address, judged on one node, rendered by every renderer of a finding
 * (doctor's text and JSON, which /findings.json serves, and /metrics): under hash and drop no
 * address of the node's sockets, conntrack entries or NAT rules is left, each hashes to the value
 * its series labels carry, and not one word of the prose changes.
 */
class FindingAddressesTest {

    /** IPv4, IPv6, v4-mapped (read as the dotted quad), link-local without a zone: every address on the node below. */
    static final List<String> ADDRESSES = List.of("10.0.0.1", "10.0.0.7", "10.0.0.5", "2001:db8::1", "2001:db8::7",
            "10.1.2.3", "fe80::1", "fe80::2", "198.51.100.9", "192.0.2.9", "10.1.0.7", "10.1.0.8", "203.0.113.1",
            "203.0.113.2");

    static Assessment node() {
        NatPorts snat = new NatPorts("nftables", List.of(SnatPortExhaustionCheckTest.RULE.rules().getFirst(),
                new NatRule("snat", "203.0.113.1", "203.0.113.2", new PortRange(40000, 40099), true, "ip nat POSTROUTING", 6)),
                null, null);
        var before = base().at(0).netstat("TcpExt.ListenOverflows", 0).netstat("TcpExt.ListenDrops", 0)
                .netstat("TcpExt.DelayedACKs", 0).conntrack(SnatPortExhaustionCheckTest.conntrack(0))
                .conntrackEntries(SnatPortExhaustionCheckTest.table(85, 40, snat, null)).build();
        var now = base().at(5).netstat("TcpExt.ListenOverflows", 3).netstat("TcpExt.ListenDrops", 3)
                .netstat("TcpExt.DelayedACKs", 40).conntrack(SnatPortExhaustionCheckTest.conntrack(0))
                .conntrackEntries(SnatPortExhaustionCheckTest.table(85, 40, snat, null))
                // ephemeral_port_exhaustion: 90 of 100 ports to one destination
                .clients("10.0.0.1", "10.0.0.7", 5432, TcpState.TIME_WAIT, 40000, 90, 30_000)
                // listen_queue_overflow and reuseport_imbalance
                .listener("10.0.0.5", 443, 129, 128)
                .listener("10.0.0.5", 8443, 128, 128).listener("10.0.0.5", 8443, 0, 128)
                // pmtu_blackhole: a full-size send stalled towards an IPv6 destination, BBR on it (bbr_without_fq)
                .socket(new TcpSocket(Family.INET6, TcpState.ESTABLISHED, new Endpoint("2001:db8::1", 43514),
                        new Endpoint("2001:db8::7", 5001), 78192, 0, TcpSocket.TIMER_RETRANSMIT, 3000, 4,
                        TcpInfos.info().backoff(4).retransmits(4).path(1428, 1428, 1480).build(), "bbr", null))
                // nagle_delayed_ack towards a v4-mapped peer (the kernel's ::ffff:10.1.2.3, read as 10.1.2.3)
                .connection("10.0.0.1", 59848, "10.1.2.3", 7000, NagleDelayedAckCheckTest.stalled(), null)
                // small_socket_buffers: an SO_RCVBUF below tcp_rmem's default between link-local peers
                .socket(new TcpSocket(Family.INET6, TcpState.ESTABLISHED, new Endpoint("fe80::1", 40500),
                        new Endpoint("fe80::2", 8080), 0, 0, 0, 0, 0, null, null, Snapshots.buffers(4096, 87040)))
                // mss_mtu_mismatch: an MSS the path MTU cannot carry
                .socket(MssMtuMismatchCheckTest.socket("198.51.100.9", 443, TcpInfos.info().path(1460, 1460, 1400)))
                .build();
        Observation o = Snapshots.observe(now, before);
        return new Assessment(o, Checks.all().judge(o), Map.of(), List.of(), 1);
    }

    static Snapshots base() {
        return Snapshots.node().netlink()
                .sysctl("net.ipv4.ip_local_port_range", "40000 40099").sysctl("net.ipv4.tcp_tw_reuse", "0")
                .sysctl("net.ipv4.tcp_timestamps", "1").sysctl("net.core.somaxconn", "128")
                .sysctl("net.ipv4.tcp_mtu_probing", "0").sysctl("net.ipv4.tcp_rmem", "4096 131072 6291456")
                .sysctl("net.core.rmem_max", "212992").sysctl("net.ipv4.tcp_wmem", "4096 16384 4194304")
                .sysctl("net.core.wmem_max", "212992").sysctl("net.ipv4.tcp_congestion_control", "bbr")
                .sysctl("net.core.default_qdisc", "pfifo_fast").sysctl("kernel.osrelease", "6.18.44")
                .link("lo", 1, 65536, "loopback", true).link("eth0", 2, 1500, "physical", true)
                .qdisc(2, 0x80010000L, Qdisc.TC_H_ROOT, "pfifo_fast");
    }

    record Rendered(String doctor, String json, String metrics) {
        static Rendered of(Assessment a, DestinationLabelMode mode) throws IOException {
            DestinationLabels labels = DestinationLabels.of(mode);
            MetricsRenderer r = new MetricsRenderer("test", 10, 20, labels, Pattern.compile(Settings.DEFAULT_IGNORED_DEVICES));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, r.render(a));
            return new Rendered(Doctor.text(a, 2, false, labels), FindingsJson.render(a, 2, labels), out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyCheckNamingAnAddressNamesItAsTheSeriesDoUnderHashAndDrop() throws IOException {
        Assessment a = node();
        Rendered plain = Rendered.of(a, DestinationLabelMode.PLAIN);
        // the stimuli worked: each check that names an address named one
        assertThat(plain.doctor()).contains("10.0.0.7:5432 (from 10.0.0.1) holds 90 of 100 ports", "10.0.0.5:443, a single listener",
                "10.0.0.5:8443: 2 SO_REUSEPORT listeners", "[2001:db8::7]:5001 (from 2001:db8::1)",
                "between this node and 2001:db8::7", "10.1.2.3:7000: 1 connection", "on [fe80::1]:40500 (from [fe80::2]:8080)",
                "198.51.100.9:443: snd_mss 1460, path MTU 1400", "tcp 10.0.0.1 -> 192.0.2.9:5432 holds 85",
                "snat to 203.0.113.1-203.0.113.2", "10.1.0.7 (pod unknown)", "192.0.2.9:5432 in 10.1.0.7",
                "kernel 6.18.44", "ip_local_port_range=\"1024 65535\"");
        assertThat(plain.json()).contains("10.0.0.7:5432");

        DestinationLabels hash = DestinationLabels.of(DestinationLabelMode.HASH);
        Rendered hashed = Rendered.of(a, DestinationLabelMode.HASH);
        for (String out : List.of(hashed.doctor(), hashed.json(), hashed.metrics())) {
            assertThat(out).doesNotContain(ADDRESSES);
        }
        // the words are the same words: the plain text with each address replaced by its hash is the hashed text
        assertThat(replaceAddresses(plain.doctor(), hash)).isEqualTo(hashed.doctor());
        assertThat(replaceAddresses(plain.json(), hash)).isEqualTo(hashed.json());
        // and a destination's hash in the text is its dst_ip label on the series
        assertThat(hashed.metrics()).contains("dst_ip=\"" + hash.address("10.0.0.7") + "\",dst_port=\"5432\"");
        assertThat(hashed.doctor()).contains(hash.address("10.0.0.7") + ":5432 (from " + hash.address("10.0.0.1") + ")",
                "[" + hash.address("2001:db8::7") + "]:5001");

        DestinationLabels drop = DestinationLabels.of(DestinationLabelMode.DROP);
        Rendered dropped = Rendered.of(a, DestinationLabelMode.DROP);
        for (String out : List.of(dropped.doctor(), dropped.json(), dropped.metrics())) {
            assertThat(out).doesNotContain(ADDRESSES);
        }
        assertThat(replaceAddresses(plain.doctor(), drop)).isEqualTo(dropped.doctor());
        assertThat(dropped.doctor()).contains(DestinationLabels.HIDDEN + ":5432 (from " + DestinationLabels.HIDDEN + ")");
    }

    /** The test's own replacement, longest address first so none is a prefix of another's match. */
    private static String replaceAddresses(String text, DestinationLabels labels) {
        String out = text;
        for (String ip : ADDRESSES.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(ip, labels.address(ip));
        }
        return out;
    }
}

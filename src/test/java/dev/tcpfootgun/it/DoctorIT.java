package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * `doctor` run in namespaces set up to show one footgun each: status, evidence with the namespace's
 * numbers, and exit code; a clean namespace exits 0; an unreadable node exits 3; and the page and
 * /findings.json of an exporter in the same namespace agree with doctor.
 */
class DoctorIT {

    static final Pattern FINDING = Pattern.compile("\\{\"footgun\": \"([a-z_]+)\".*?\"status\": \"([a-z]+)\"");

    record Result(int exit, String out) {
        Map<String, String> statuses() {
            Map<String, String> m = new TreeMap<>();
            Matcher x = FINDING.matcher(out);
            while (x.find()) {
                m.put(x.group(1), x.group(2));
            }
            return m;
        }
    }

    @BeforeAll
    static void needsNamespaces() {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
    }

    /** Settings under which no footgun of the catalogue shows. */
    static void clean(NetNs ns) throws Exception {
        ns.sysctl("net.ipv4.tcp_keepalive_time", "300");
        ns.sysctl("net.ipv4.tcp_keepalive_intvl", "30");
        ns.sysctl("net.ipv4.tcp_keepalive_probes", "5");
        // a child namespace may only pick from tcp_allowed_congestion_control ("reno bbr" here)
        ns.sysctl("net.ipv4.tcp_congestion_control", "reno");
        ns.sysctl("net.ipv4.tcp_mtu_probing", "1");
    }

    static Result doctor(NetNs ns, String... flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ExporterProcess.java(), "-jar", ExporterProcess.JAR.toString(), "doctor"));
        cmd.addAll(List.of(flags));
        Process p = new ProcessBuilder(ns == null ? cmd : ns.prefixed(cmd.toArray(String[]::new)))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void cleanNamespaceExitsZero() throws Exception {
        try (NetNs ns = NetNs.create("fg-dr-clean")) {
            clean(ns);
            Result r = doctor(ns, "--output", "json");
            assertThat(r.statuses()).doesNotContainValue("advice").doesNotContainValue("warn").doesNotContainValue("critical").hasSize(dev.tcpfootgun.footgun.Footgun.values().length);
            assertThat(r.exit()).as(r.out()).isZero();
            assertThat(r.out()).contains("\"exit_code\": 0");
        }
    }

    @Test
    void portExhaustionIsCriticalWithTheDestinationsNumbers() throws Exception {
        try (NetNs ns = NetNs.create("fg-dr-ports")) {
            clean(ns);
            ns.sysctl("net.ipv4.ip_local_port_range", "40000 40099");
            ns.sysctl("net.ipv4.tcp_tw_reuse", "0");
            TestServer l = ns.call(() -> TestServer.draining(8080));
            try {
                // the kernel's own count (ss, a test oracle): a connection closed before any data may
                // skip TIME_WAIT (13 of 92 once in CI), so connections are made until 92 hold their
                // port in TIME_WAIT or four rounds have passed, and doctor must show what the kernel settled on
                int tw = 0;
                int made = 0;
                for (int round = 0; round < 4 && tw < 92; round++) {
                    int more = 92 - tw;
                    ns.call(() -> {
                        for (int i = 0; i < more; i++) {
                            new Socket(InetAddress.getLoopbackAddress(), 8080).close();
                        }
                        return null;
                    });
                    made += more;
                    l.awaitFinished(made);
                    tw = ns.settledTimeWait(8080);
                }
                assertThat(tw).isGreaterThanOrEqualTo(80);
                Result r = doctor(ns, "--output", "json");
                assertThat(r.statuses()).containsEntry("ephemeral_port_exhaustion", "critical");
                assertThat(r.out()).contains("127.0.0.1:8080 (from 127.0.0.1) holds " + tw + " of 100 ports (" + tw + ".0 %), "
                        + tw + " of them in TIME_WAIT");
                assertThat(r.exit()).isEqualTo(2);
                // a gate set at critical still fails on it
                assertThat(doctor(ns, "--doctor.fail-on=critical").exit()).isEqualTo(2);

                Result text = doctor(ns);
                assertThat(text.exit()).isEqualTo(2);
                assertThat(text.out()).contains("CRITICAL ephemeral_port_exhaustion (risk 0.")
                        .contains("fix: Pool and reuse connections to 127.0.0.1:8080")
                        .contains("sysctl -w net.ipv4.ip_local_port_range=\"1024 65535\"")
                        .doesNotContain("\u001b[");
            } finally {
                ns.call(() -> {
                    l.close();
                    return null;
                });
            }
        }
    }

    @Test
    void lowFinTimeoutAndKeepaliveDefaultsAreAdviceThatFailsOnlyAnAdviceGateAndThePageAgrees() throws Exception {
        try (NetNs ns = NetNs.create("fg-dr-warn")) {
            clean(ns);
            ns.sysctl("net.ipv4.tcp_fin_timeout", "5");
            ns.sysctl("net.ipv4.tcp_keepalive_time", "7200");
            ns.sysctl("net.ipv4.tcp_keepalive_intvl", "75");
            ns.sysctl("net.ipv4.tcp_keepalive_probes", "9");
            Result r = doctor(ns, "--output", "json");
            assertThat(r.statuses()).containsEntry("time_wait_misguided_tuning", "advice").containsEntry("keepalive_too_long", "advice")
                    .doesNotContainValue("warn").doesNotContainValue("critical");
            assertThat(r.out()).contains("tcp_fin_timeout is 5 s (default 60)").contains("7875 s");
            assertThat(r.exit()).as("advice does not fail doctor").isZero();
            assertThat(doctor(ns, "--doctor.fail-on=advice").exit()).isEqualTo(1);
            Result text = doctor(ns);
            assertThat(text.out()).contains("ADVICE   keepalive_too_long (risk 0.30)");
            assertThat(text.out()).contains("fix: Leave TIME_WAIT alone: restore sysctl -w net.ipv4.tcp_fin_timeout=60")
                    .contains("sysctl -w net.ipv4.tcp_keepalive_time=300");

            try (ExporterProcess exporter = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:9993")) {
                var json = ns.call(() -> ExporterProcess.get("http://127.0.0.1:9993/findings.json", null));
                var page = ns.call(() -> ExporterProcess.get("http://127.0.0.1:9993/", null));
                assertThat(new Result(0, json.body()).statuses()).isEqualTo(r.statuses());
                assertThat(json.body()).contains("\"exit_code\": 0");
                for (var e : r.statuses().entrySet()) {
                    assertThat(page.body()).contains("<tr class=\"" + e.getValue() + "\"><td id=\"footgun-" + e.getKey().replace('_', '-') + "\">");
                }
                assertThat(page.body()).contains("tcp_fin_timeout is 5 s (default 60)");
            }
        }
    }

    @Test
    void bbrOverPfifoFastAndMtuProbingOffWithASmallLinkAreAdvice() throws Exception {
        try (NetNs ns = NetNs.create("fg-dr-bbr")) {
            clean(ns);
            String veth = "fgd" + (System.nanoTime() % 100000);
            ns.exec("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "p");
            ns.exec("ip", "link", "set", veth, "mtu", "1400");
            ns.exec("ip", "link", "set", veth + "p", "mtu", "1400");
            ns.exec("ip", "link", "set", veth, "up");
            ns.exec("ip", "link", "set", veth + "p", "up");
            ns.exec("tc", "qdisc", "replace", "dev", veth, "root", "pfifo_fast");
            ns.sysctl("net.ipv4.tcp_congestion_control", "bbr");
            ns.sysctl("net.ipv4.tcp_mtu_probing", "0");
            Result r = doctor(ns, "--output", "json");
            assertThat(r.statuses()).containsEntry("bbr_without_fq", "advice").containsEntry("pmtu_blackhole", "advice");
            assertThat(r.out()).contains(veth).contains("tc qdisc replace dev " + veth + " root fq")
                    .contains("tcp_mtu_probing=0");
            assertThat(r.exit()).isZero();
            assertThat(doctor(ns, "--doctor.fail-on=advice").exit()).isEqualTo(1);
        }
    }

    @Test
    void unreadableNodeExitsThree() throws Exception {
        Result r = doctor(null, "--path.procfs=/nonexistent", "--path.sysfs=/nonexistent", "--collector.sockets.source=procfs");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).contains("unreadable sources:").contains("the node could not be read").contains("UNKNOWN");
    }
}

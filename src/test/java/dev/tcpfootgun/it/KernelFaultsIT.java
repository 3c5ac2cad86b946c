package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.MetricsText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel faults against the packaged jar: each has a clear state in the metrics (the collector's
 * success gauge, or footgun_parse_errors_total when one item of a source is lost) and one log
 * line when the state changes, not one per scrape.
 */
class KernelFaultsIT {

    @TempDir
    Path base;

    private static MetricsText scrape(int port) throws Exception {
        var r = ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        return MetricsText.parse(r.body());
    }

    private static long lines(ExporterProcess p, String text) {
        return p.log().stream().filter(l -> l.contains(text)).count();
    }

    /** A file of mode 000 read by an unprivileged exporter (uid 65534 through setpriv). */
    @Test
    void permissionDeniedCostsThatSourceAndIsLoggedOnce() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to uid 65534");
        assumeTrue(Cmd.available("setpriv"), "needs setpriv (util-linux)");
        FakeKernel k = FakeKernel.create(base);
        Path netstat = k.proc().resolve("net/netstat");
        Path finTimeout = k.proc().resolve("sys/net/ipv4/tcp_fin_timeout");
        Files.setPosixFilePermissions(netstat, PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(finTimeout, PosixFilePermissions.fromString("---------"));
        int port = FakeKernel.freePort();
        List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        try (ExporterProcess p = ExporterProcess.start(null, nobody, k.flags(port))) {
            MetricsText m = null;
            for (int i = 0; i < 3; i++) {
                m = scrape(port);
            }
            assertThat(m.get("footgun_scrape_collector_success", "collector", "netstat")).hasValue(0);
            for (String ok : List.of("sockets", "snmp", "sockstat", "sysctl", "conntrack", "interfaces")) {
                assertThat(m.get("footgun_scrape_collector_success", "collector", ok)).as(ok).hasValue(1);
            }
            // one unreadable sysctl is a skipped item of a working source: start-up read plus 3 scrapes
            assertThat(m.get("footgun_parse_errors_total", "source", "sysctl")).hasValue(4);
            assertThat(m.has("footgun_sysctl_net_ipv4_tcp_fin_timeout")).isFalse();
            assertThat(m.has("footgun_tcpext_")).isFalse();
            assertThat(lines(p, "collector netstat unavailable: permission denied: " + netstat)).as(p.log().toString()).isEqualTo(1);

            Files.setPosixFilePermissions(netstat, PosixFilePermissions.fromString("rw-r--r--"));
            scrape(port);
            m = scrape(port);
            assertThat(m.get("footgun_scrape_collector_success", "collector", "netstat")).hasValue(1);
            assertThat(m.has("footgun_tcpext_listen_overflows_total")).isTrue();
            assertThat(lines(p, "collector netstat recovered")).isEqualTo(1);
            assertThat(lines(p, "collector netstat unavailable")).isEqualTo(1);
            assertThat(p.log()).noneSatisfy(l -> assertThat(l).contains("Exception"));
        }
    }

    /** A device listed in class/net whose files are gone (removed between listing and reading), then class/net itself. */
    @Test
    void vanishedSysfsDeviceIsCountedAndAVanishedClassNetIsLoggedOnce() throws Exception {
        FakeKernel k = FakeKernel.create(base);
        Files.createDirectories(k.sys().resolve("class/net/gone0"));
        int port = FakeKernel.freePort();
        try (ExporterProcess p = ExporterProcess.start(null, k.flags(port))) {
            MetricsText first = scrape(port);
            MetricsText second = scrape(port);
            assertThat(second.get("footgun_scrape_collector_success", "collector", "interfaces")).hasValue(1);
            double before = first.get("footgun_parse_errors_total", "source", "interfaces").orElseThrow();
            assertThat(second.get("footgun_parse_errors_total", "source", "interfaces")).hasValue(before + 1);
            assertThat(second.text()).contains("device=\"eth0\"").doesNotContain("gone0");

            Path classNet = k.sys().resolve("class/net");
            Path aside = k.sys().resolve("net-aside");
            Files.move(classNet, aside);
            scrape(port);
            MetricsText missing = scrape(port);
            assertThat(missing.get("footgun_scrape_collector_success", "collector", "interfaces")).hasValue(0);
            assertThat(missing.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);
            Files.move(aside, classNet);
            scrape(port);
            MetricsText back = scrape(port);
            assertThat(back.get("footgun_scrape_collector_success", "collector", "interfaces")).hasValue(1);
            assertThat(lines(p, "collector interfaces unavailable: required folder missing: " + classNet)).isEqualTo(1);
            assertThat(lines(p, "collector interfaces recovered")).isEqualTo(1);
        }
    }

    /** socket(AF_NETLINK) refused with EPERM by a seccomp filter: the netlink-only source fails, logged once. */
    @Test
    void netlinkEpermIsOneLogLineAndTheProcFallbackServes() throws Exception {
        assumeTrue(Cmd.available("gcc"), "needs gcc to build the seccomp launcher");
        Path launcher = base.resolve("no-netlink");
        Cmd.run("gcc", "-O2", "-o", launcher.toString(), Path.of("src", "test", "c", "no-netlink.c").toString());
        int port = FakeKernel.freePort();
        try (ExporterProcess p = ExporterProcess.start(null, List.of(launcher.toString()), "--web.listen-address=127.0.0.1:" + port)) {
            MetricsText m = null;
            for (int i = 0; i < 3; i++) {
                m = scrape(port);
            }
            assertThat(m.get("footgun_scrape_collector_success", "collector", "qdisc")).hasValue(0);
            assertThat(m.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);
            assertThat(m.get("footgun_socket_source_info", "source", "procfs")).hasValue(1);
            assertThat(m.get("footgun_scrape_collector_success", "collector", "interfaces")).hasValue(1);
            assertThat(lines(p, "collector qdisc unavailable")).as(p.log().toString()).isEqualTo(1);
            assertThat(p.log()).filteredOn(l -> l.contains("collector qdisc unavailable"))
                    .singleElement().satisfies(l -> assertThat(l).contains("EPERM"));
        }
    }
}

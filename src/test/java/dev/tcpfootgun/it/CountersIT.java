package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Counters are the kernel's, never the exporter's: a counter that goes down in the kernel (a reset,
 * or here a rewritten file) goes down in the exposition, so Prometheus sees the reset; one that
 * rises is reported exactly as read, between what the kernel said just before and just after.
 */
class CountersIT {
    private static final Pattern HELP_SOURCE = Pattern.compile("^# HELP (\\S+) .*\\((\\w+) (\\w+)\\)$", Pattern.MULTILINE);

    @TempDir
    Path base;

    private static MetricsText scrape(int port) throws Exception {
        var r = ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        return MetricsText.parse(r.body());
    }

    @Test
    void aCounterTheKernelLowersIsReportedLowerNeverHeldUp() throws Exception {
        FakeKernel k = FakeKernel.create(base);
        Path netstat = k.proc().resolve("net/netstat");
        Path snmp = k.proc().resolve("net/snmp");
        Path conntrack = k.proc().resolve("net/stat/nf_conntrack");
        Files.writeString(netstat, "TcpExt: ListenOverflows TW\nTcpExt: 1000 77\n");
        Files.writeString(snmp, "Tcp: RetransSegs CurrEstab\nTcp: 18446744073709551615 3\n");
        Files.writeString(conntrack, "entries drop\n00000000 00000010\n00000000 00000005\n");
        int port = FakeKernel.freePort();
        try (ExporterProcess p = ExporterProcess.start(null, k.flags(port))) {
            MetricsText m = scrape(port);
            assertThat(m.get("footgun_tcpext_listen_overflows_total")).hasValue(1000);
            assertThat(m.get("footgun_tcpext_tw_total")).hasValue(77);
            assertThat(m.get("footgun_tcp_retrans_segs_total")).hasValue(18446744073709551615.0);
            assertThat(m.get("footgun_conntrack_drop_total")).hasValue(21);

            // the kernel's counters restart (a reboot behind a persistent exporter, a namespace recreated)
            Files.writeString(netstat, "TcpExt: ListenOverflows TW\nTcpExt: 5 80\n");
            Files.writeString(snmp, "Tcp: RetransSegs CurrEstab\nTcp: 0 3\n");
            Files.writeString(conntrack, "entries drop\n00000000 00000001\n00000000 00000000\n");
            m = scrape(port);
            assertThat(m.get("footgun_tcpext_listen_overflows_total")).hasValue(5);
            assertThat(m.get("footgun_tcpext_tw_total")).hasValue(80);
            assertThat(m.get("footgun_tcp_retrans_segs_total")).hasValue(0);
            assertThat(m.get("footgun_conntrack_drop_total")).hasValue(1);

            Files.writeString(netstat, "TcpExt: ListenOverflows TW\nTcpExt: 6 80\n");
            assertThat(scrape(port).get("footgun_tcpext_listen_overflows_total")).hasValue(6);
        }
    }

    @Test
    void realKernelCountersAreReportedAsReadBetweenTwoKernelReads() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-ctr")) {
            int port = 9994;
            try (ExporterProcess p = ExporterProcess.start(ns, "--web.listen-address=127.0.0.1:" + port)) {
                Map<String, Double> previous = Map.of();
                for (int round = 0; round < 2; round++) {
                    ns.call(() -> { // move some counters: connections, TIME_WAIT, segments
                        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                            for (int i = 0; i < 20; i++) {
                                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                                        Socket s = server.accept()) {
                                    c.getOutputStream().write(1);
                                    s.getInputStream().read();
                                }
                            }
                        }
                        return null;
                    });
                    Map<String, Double> before = kernel(ns);
                    String body = ns.call(() -> ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null).body());
                    Map<String, Double> after = kernel(ns);
                    MetricsText m = MetricsText.parse(body);
                    Map<String, Double> exported = new HashMap<>();
                    Matcher h = HELP_SOURCE.matcher(body);
                    int counters = 0;
                    while (h.find()) {
                        String metric = h.group(1);
                        if (!body.contains("# TYPE " + metric + " counter")) {
                            continue;
                        }
                        String key = h.group(2) + "." + h.group(3);
                        double v = m.get(metric).orElseThrow();
                        assertThat(v).as(key).isBetween(before.get(key), after.get(key));
                        assertThat(v).as(key + " never below the previous scrape").isGreaterThanOrEqualTo(previous.getOrDefault(key, 0.0));
                        exported.put(key, v);
                        counters++;
                    }
                    assertThat(counters).isGreaterThan(20);
                    previous = exported;
                }
                assertThat(previous.get("Tcp.ActiveOpens")).isGreaterThanOrEqualTo(40);
            }
        }
    }

    /** /proc/net/netstat and /proc/net/snmp of the namespace, as "Section.Field" to value. */
    private static Map<String, Double> kernel(NetNs ns) throws Exception {
        Map<String, Double> out = new HashMap<>();
        for (String file : new String[] {"/proc/net/netstat", "/proc/net/snmp"}) {
            String[] lines = ns.exec("cat", file).split("\n");
            for (int i = 0; i + 1 < lines.length; i += 2) {
                String[] names = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int f = 1; f < names.length && f < values.length; f++) {
                    out.put(names[0].replace(":", "") + "." + names[f], Double.parseDouble(values[f]));
                }
            }
        }
        return out;
    }
}

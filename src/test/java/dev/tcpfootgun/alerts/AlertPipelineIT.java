package dev.tcpfootgun.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.alerts.AlertRulesTest.MiniJson;
import dev.tcpfootgun.alerts.AlertRulesTest.PanelQuery;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole alerting path for real, in one network namespace on loopback: the packaged exporter,
 * Prometheus with footgun-rules.yml (every {@code for:} cut to 0s, 1 s scrape and evaluation),
 * Alertmanager with the example configuration's routing tree, and a webhook receiver. One
 * destination is driven past 90% of a 100-port ephemeral range with client-closed connections
 * sitting in TIME_WAIT; the port-exhaustion alert must fire, reach Alertmanager and arrive at the
 * pager webhook with the destination in its labels. Then every dashboard panel query must be
 * valid and return data from that Prometheus, except: the panels listed in {@link #KERNEL_DEPENDENT};
 * tcp_info panels (netlink sock_diag) while sockets come from /proc or while this exporter build
 * does not export the family yet; and risk panels of footguns whose finding is unknown or not
 * reported (their risk must then be absent, never 0). Each exception is printed with its reason.
 *
 * <p>Needs root, ip, prometheus and prometheus-alertmanager, and target/tcp-footgun-exporter.jar
 * (built by `package`, before failsafe runs this in `verify`). Skips with the reason otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertPipelineIT {

    static final int RANGE_LOW = 40000;
    static final int RANGE_HIGH = 40099;
    /** 92 of 100 ports: above the 0.8 (alert) and 0.9 (brief) marks, leaving 8 for the stack itself. */
    static final int CLOSED = 92;
    static final int LISTENER_PORT = 8080;
    static final String INSTANCE = AlertStack.INSTANCE;
    static final int ALERTMANAGER_PORT = AlertStack.ALERTMANAGER_PORT;

    /** Panels whose data exists only on some kernels: allowed to be empty everywhere. */
    static final Map<String, String> KERNEL_DEPENDENT = Map.of(
            "tcp_tw_recycle", "the sysctl was removed in Linux 4.12",
            "PAWS passive rejects (old kernels)", "TcpExt PAWSPassive exists only on kernels with tcp_tw_recycle");

    @TempDir
    static Path tmp;

    static NetNs ns;
    static AlertStack stack;
    static TestServer listener;

    @BeforeAll
    static void startStack() throws Exception {
        AlertStack.assumeAvailable();
        ns = NetNs.create("fg-alerts");
        ns.sysctl("net.ipv4.ip_local_port_range", RANGE_LOW + " " + RANGE_HIGH);
        // With the default tcp_tw_reuse=2 connect() may take over loopback TIME_WAIT ports; 0 makes
        // exhaustion real and deterministic.
        ns.sysctl("net.ipv4.tcp_tw_reuse", "0");
        // the seed's keepalive (300/30/5): Linux defaults are advice of their own
        ns.sysctl("net.ipv4.tcp_keepalive_time", "300");
        ns.sysctl("net.ipv4.tcp_keepalive_intvl", "30");
        ns.sysctl("net.ipv4.tcp_keepalive_probes", "5");
        stack = AlertStack.start(ns, tmp);

        listener = ns.call(() -> TestServer.draining(LISTENER_PORT));
        // One ICMP port unreachable on loopback, so IcmpMsg InType3 exists (the kernel prints an
        // IcmpMsg column only after the first message of its type).
        ns.call(() -> {
            try (DatagramSocket d = new DatagramSocket()) {
                d.send(new DatagramPacket(new byte[] {1}, 1, InetAddress.getLoopbackAddress(), 9));
            }
            return null;
        });
    }

    @AfterAll
    static void stopStack() throws Exception {
        try {
            if (stack != null) {
                stack.close();
            }
            if (listener != null) {
                ns.call(() -> {
                    listener.close();
                    return null;
                });
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    @Order(1)
    void portExhaustionAlertFiresReachesAlertmanagerAndPagesTheWebhook() throws Exception {
        ns.call(() -> {
            for (int i = 0; i < CLOSED; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), LISTENER_PORT)) {
                    s.getOutputStream().write('x');
                }
            }
            return null;
        });
        listener.awaitFinished(CLOSED);
        String port = Integer.toString(LISTENER_PORT);

        // Prometheus: the alert is firing, for this destination.
        Map<String, Object> alert = await(Duration.ofSeconds(60), "FootgunEphemeralPortExhaustion firing in Prometheus", () -> {
            for (Object a : list(map(prometheus("GET", "/api/v1/alerts", null).get("data")).get("alerts"))) {
                Map<String, Object> labels = map(map(a).get("labels"));
                if ("FootgunEphemeralPortExhaustion".equals(labels.get("alertname"))
                        && "firing".equals(map(a).get("state")) && port.equals(labels.get("dst_port"))) {
                    return map(a);
                }
            }
            return null;
        });
        assertThat(map(alert.get("labels"))).containsEntry("severity", "critical")
                .containsEntry("footgun", "ephemeral_port_exhaustion").containsEntry("instance", INSTANCE)
                .containsEntry("job", AlertRulesTest.JOB).containsEntry("src_ip", "127.0.0.1")
                .containsEntry("dst_ip", "127.0.0.1");
        assertThat(Double.parseDouble((String) alert.get("value"))).isGreaterThanOrEqualTo(0.9);
        assertThat((String) map(alert.get("annotations")).get("summary"))
                .isEqualTo(INSTANCE + " uses 92% of its ephemeral ports towards 127.0.0.1:" + port);

        // No false positives: in this namespace only the port footgun is in trouble (conntrack is
        // empty, TIME_WAIT is 92 sockets, nothing else is tuned).
        List<String> firing = new ArrayList<>();
        for (Object a : list(map(prometheus("GET", "/api/v1/alerts", null).get("data")).get("alerts"))) {
            Map<String, Object> labels = map(map(a).get("labels"));
            if ("firing".equals(map(a).get("state"))) {
                firing.add(labels.get("alertname") + "{severity=" + labels.get("severity") + ",footgun=" + labels.get("footgun") + "}");
            }
        }
        System.out.println("[AlertPipelineIT] firing: " + firing);
        assertThat(firing).filteredOn(f -> !f.contains("footgun=null") && !f.contains("severity=info"))
                .allMatch(f -> f.contains("footgun=ephemeral_port_exhaustion"));

        // Alertmanager holds it.
        await(Duration.ofSeconds(30), "the alert in Alertmanager", () -> {
            String body = http("GET", "http://127.0.0.1:" + ALERTMANAGER_PORT + "/api/v2/alerts?active=true", null);
            return body.contains("FootgunEphemeralPortExhaustion") && body.contains("\"dst_port\":\"" + port + "\"") ? body : null;
        });

        // The example's inhibition: the port footgun's warnings are suppressed by its critical alerts.
        await(Duration.ofSeconds(30), "warnings of the port footgun inhibited in Alertmanager", () -> {
            Object all = MiniJson.parse(http("GET", "http://127.0.0.1:" + ALERTMANAGER_PORT + "/api/v2/alerts", null));
            int inhibited = 0;
            for (Object a : list(all)) {
                Map<String, Object> labels = map(map(a).get("labels"));
                if ("warning".equals(labels.get("severity")) && "ephemeral_port_exhaustion".equals(labels.get("footgun"))) {
                    if (list(map(map(a).get("status")).get("inhibitedBy")).isEmpty()) {
                        return null;
                    }
                    inhibited++;
                }
            }
            return inhibited > 0 ? inhibited : null;
        });

        // The pager webhook receives it, destination in its labels.
        AlertStack.Delivery paged = await(Duration.ofSeconds(30), "the alert delivered to the pager webhook", () -> {
            for (AlertStack.Delivery d : stack.deliveries()) {
                if (d.path().equals("/pager") && d.body().contains("FootgunEphemeralPortExhaustion")) {
                    return d;
                }
            }
            return null;
        });
        // One harm, one page: over the next evaluation cycles no second notification pages for it.
        Thread.sleep(5_000);
        assertThat(stack.pages()).as("notifications to the pager").hasSize(1);
        Map<String, Object> payload = map(MiniJson.parse(paged.body()));
        assertThat(payload).containsEntry("receiver", "footgun-pager").containsEntry("status", "firing");
        assertThat(list(payload.get("alerts"))).anySatisfy(a -> assertThat(map(map(a).get("labels")))
                .containsEntry("alertname", "FootgunEphemeralPortExhaustion")
                .containsEntry("dst_ip", "127.0.0.1").containsEntry("dst_port", port)
                .containsEntry("severity", "critical"));
        // Nothing critical about ports or conntrack went to the warnings receiver.
        assertThat(stack.deliveries()).filteredOn(d -> d.path().equals("/warnings"))
                .allSatisfy(d -> assertThat(d.body()).doesNotContain("\"alertname\":\"FootgunEphemeralPortExhaustion\""));
    }

    @Test
    @Order(2)
    void everyDashboardPanelQueryIsValidAndReturnsData() throws Exception {
        List<PanelQuery> queries = AlertRulesTest.panelQueries(AlertRulesTest.DASHBOARD,
                Map.of("job", ".*", "cluster", ".*", "node", ".*", "instance", INSTANCE.replace(".", "\\\\."), "__rate_interval", "15s"));
        assertThat(queries).hasSizeGreaterThan(50);
        String socketSource = labelOf("footgun_socket_source_info", "source");
        Map<String, String> findings = new TreeMap<>();
        for (Map<String, Object> s : vector("footgun_finding_status{instance=\"" + INSTANCE + "\"} == 1")) {
            Map<String, Object> m = map(s.get("metric"));
            findings.put((String) m.get("footgun"), (String) m.get("footgun_finding_status"));
        }

        Map<String, String> emptyAllowed = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (PanelQuery q : queries) {
            String reason = whyMayBeEmpty(q, socketSource, findings);
            Map<String, Object> response = prometheus("POST", "/api/v1/query",
                    "query=" + URLEncoder.encode(q.expr(), StandardCharsets.UTF_8));
            if (!"success".equals(response.get("status"))) {
                failures.add(q.panelTitle() + " [" + q.refId() + "] invalid: " + response.get("error") + " in " + q.expr());
                continue;
            }
            // Rates need two samples and recording rules an evaluation: retry briefly before judging.
            List<Object> result = list(map(response.get("data")).get("result"));
            while (result.isEmpty() && reason == null && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                result = list(map(prometheus("POST", "/api/v1/query",
                        "query=" + URLEncoder.encode(q.expr(), StandardCharsets.UTF_8)).get("data")).get("result"));
            }
            if (result.isEmpty()) {
                if (reason != null) {
                    emptyAllowed.put(q.panelTitle() + " [" + q.refId() + "]", reason);
                } else {
                    failures.add(q.panelTitle() + " [" + q.refId() + "] returned no data: " + q.expr());
                }
            } else if (reason != null && (reason.startsWith("risk:") || reason.startsWith("no finding is"))) {
                failures.add(q.panelTitle() + " has data although its finding is " + findings.get(riskFootgun(q)));
            }
        }
        emptyAllowed.forEach((panel, reason) -> System.out.println("[AlertPipelineIT] empty by design: " + panel + " - " + reason));
        assertThat(failures).as("panel queries against a real Prometheus").isEmpty();
        // The listed exceptions must really be listed in the descriptions users read.
        for (PanelQuery q : queries) {
            if (KERNEL_DEPENDENT.containsKey(q.panelTitle())) {
                assertThat(q.description()).containsIgnoringCase("kernel");
            }
        }
    }

    /** Null when the panel query must return data here; otherwise why it may be empty. */
    private static String whyMayBeEmpty(PanelQuery q, String socketSource, Map<String, String> findings) throws Exception {
        if (KERNEL_DEPENDENT.containsKey(q.panelTitle())) {
            return KERNEL_DEPENDENT.get(q.panelTitle());
        }
        if (AlertRulesTest.NETLINK_METRICS.matcher(q.expr()).find()) {
            if (!"netlink".equals(socketSource)) {
                return "needs netlink sock_diag; sockets come from " + socketSource;
            }
            // Sockets come from netlink: once the exporter exports the tcp_info family the panel
            // reads, it must have data; before that release the family is simply absent.
            List<String> names = metricNames(q.expr());
            if (vector("count by (__name__) ({__name__=~\"" + String.join("|", names) + "\",instance=\"" + INSTANCE + "\"})").isEmpty()) {
                return "tcp_info family " + names + " not exported by this exporter build yet (netlink sock_diag)";
            }
        }
        Matcher listed = Pattern.compile("footgun_finding_status=~?\"([a-z|]+)\"").matcher(q.expr());
        if (listed.find() && findings.values().stream().noneMatch(List.of(listed.group(1).split("\\|"))::contains)) {
            // a table of the findings at some status: empty while no finding has it (and it must be, then)
            return "no finding is " + listed.group(1) + " here";
        }
        if (q.expr().contains("footgun_netns_")) {
            return "per-namespace families need --collector.netns, off in this test";
        }
        if (CONNTRACK_TABLE_METRICS.matcher(q.expr()).find()
                && vector("footgun_conntrack_entries{instance=\"" + INSTANCE + "\"} > 0").isEmpty()) {
            // no netfilter rule in this namespace: the kernel tracks nothing, the dump has no entry to show
            return "reads conntrack entries; this namespace's table is empty (nf_conntrack_count 0)";
        }
        String footgun = riskFootgun(q);
        if (footgun != null) {
            String status = findings.get(footgun);
            if (status == null || status.equals("unknown")) {
                // Must stay empty: an unknown risk is absent, never 0.
                return "risk: finding " + (status == null ? "not reported by this exporter build" : "unknown");
            }
        }
        return null;
    }

    /** Families made from the conntrack table's entries (the dump, NAT ports): empty while the table is. */
    static final Pattern CONNTRACK_TABLE_METRICS = Pattern.compile(
            "footgun_(snat_|conntrack_dump_|conntrack_destination_)");

    /** The metric names a query reads, with histogram suffixes kept as written. */
    private static List<String> metricNames(String expr) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\bfootgun_[a-z0-9_]+").matcher(expr);
        while (m.find()) {
            if (!names.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static String riskFootgun(PanelQuery q) {
        Matcher m = Pattern.compile("footgun_risk_ratio\\{[^}]*footgun=\"(\\w+)\"").matcher(q.expr());
        return m.find() ? m.group(1) : null;
    }

    static Map<String, Object> prometheus(String method, String path, String form) throws Exception {
        return stack.prometheus(method, path, form);
    }

    static String http(String method, String url, String form) throws Exception {
        return stack.http(method, url, form);
    }

    static List<Map<String, Object>> vector(String promql) throws Exception {
        return stack.vector(promql);
    }

    static String labelOf(String metric, String label) throws Exception {
        List<Map<String, Object>> v = await(Duration.ofSeconds(30), metric + " scraped", () -> {
            List<Map<String, Object>> r = vector(metric + "{instance=\"" + INSTANCE + "\"}");
            return r.isEmpty() ? null : r;
        });
        return (String) map(v.getFirst().get("metric")).get(label);
    }

    static <T> T await(Duration timeout, String what, AlertStack.Probe<T> probe) throws Exception {
        return stack.await(timeout, what, probe);
    }

    static Map<String, Object> map(Object o) {
        return AlertRulesTest.map(o);
    }

    static List<Object> list(Object o) {
        return AlertRulesTest.list(o);
    }
}

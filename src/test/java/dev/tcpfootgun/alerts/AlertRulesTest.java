package dev.tcpfootgun.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.footgun.Footgun;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lints and unit-tests the shipped alerting rules, the example Alertmanager configuration and the
 * Grafana dashboard, with the same tools users run (promtool, amtool). Also home of the parsers
 * and the dashboard query extraction the end-to-end test ({@code AlertPipelineIT}) reuses.
 */
class AlertRulesTest {

    static final Path ROOT = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    static final Path RULES = ROOT.resolve("alerts/footgun-rules.yml");
    static final Path RULE_TESTS = ROOT.resolve("alerts/tests");
    static final Path ALERTMANAGER_EXAMPLE = ROOT.resolve("alerts/alertmanager.example.yml");
    static final Path DASHBOARD = ROOT.resolve("grafana/tcp-footgun-dashboard.json");
    static final String RUNBOOK_BASE = "https://github.com/tcp-footgun-exporter/tcp-footgun-exporter#";
    /** The scrape job name the rules assume (documented in alerts/README.md). */
    static final String JOB = "tcp-footgun-exporter";

    // ---------------------------------------------------------------------------------------
    // promtool and amtool

    @Test
    void promtoolChecksRulesClean() {
        assumeTool("promtool", "prometheus");
        Cmd r = Cmd.run(Duration.ofSeconds(60), "promtool", "check", "rules", RULES.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS").doesNotContainIgnoringCase("warning");
    }

    @Test
    void promtoolUnitTestsPass() throws IOException {
        assumeTool("promtool", "prometheus");
        List<String> cmd = new ArrayList<>(List.of("promtool", "test", "rules"));
        ruleTestFiles().forEach(p -> cmd.add(p.getFileName().toString()));
        Cmd r = Cmd.run(Duration.ofSeconds(120), RULE_TESTS, cmd.toArray(String[]::new));
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContain("FAILED");
    }

    @Test
    void amtoolChecksExampleConfig() {
        assumeTool("amtool", "prometheus-alertmanager");
        Cmd r = Cmd.run(Duration.ofSeconds(30), "amtool", "check-config", ALERTMANAGER_EXAMPLE.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void criticalConntrackPortAndListenerAlertsPageAdviceNotifiesNobodyEverythingElseGoesToWarnings() {
        assumeTool("amtool", "prometheus-alertmanager");
        assertThat(route("alertname=FootgunConntrackTableFull", "severity=critical", "footgun=conntrack_table_full"))
                .isEqualTo("footgun-pager");
        assertThat(route("alertname=FootgunEphemeralPortExhaustion", "severity=critical",
                "footgun=ephemeral_port_exhaustion", "dst_ip=10.0.0.9", "dst_port=5432"))
                .isEqualTo("footgun-pager");
        assertThat(route("alertname=FootgunListenQueueOverflowing", "severity=critical",
                "footgun=listen_queue_overflow", "listen_ip=10.0.0.5", "listen_port=443"))
                .isEqualTo("footgun-pager");
        assertThat(route("alertname=FootgunReuseportImbalance", "severity=critical", "footgun=reuseport_imbalance"))
                .isEqualTo("footgun-pager");
        assertThat(route("alertname=FootgunKeepaliveTooLong", "severity=info", "footgun=keepalive_too_long"))
                .isEqualTo("footgun-info");
        assertThat(route("alertname=FootgunConntrackTableFull", "severity=info", "footgun=conntrack_table_full"))
                .as("info never pages, whatever the footgun").isEqualTo("footgun-info");
        assertThat(route("alertname=FootgunEphemeralPortExhaustion", "severity=critical",
                "footgun=ephemeral_port_exhaustion")).isEqualTo("footgun-pager");
        assertThat(route("alertname=FootgunConntrackTableFull", "severity=warning", "footgun=conntrack_table_full"))
                .isEqualTo("footgun-warnings");
        assertThat(route("alertname=FootgunBbrWithoutFq", "severity=critical", "footgun=bbr_without_fq"))
                .isEqualTo("footgun-warnings");
        assertThat(route("alertname=FootgunExporterDown", "severity=warning")).isEqualTo("footgun-warnings");
    }

    @Test
    void theInfoReceiverNotifiesNobody() throws IOException {
        Map<String, Object> am = map(MiniYaml.parse(Files.readString(ALERTMANAGER_EXAMPLE)));
        Map<String, Object> info = null;
        for (Object r : list(am.get("receivers"))) {
            if ("footgun-info".equals(map(r).get("name"))) {
                info = map(r);
            }
        }
        assertThat(info).as("receiver footgun-info").isNotNull();
        assertThat(info.keySet()).as("footgun-info has no integration").containsExactly("name");
    }

    private static String route(String... labels) {
        List<String> cmd = new ArrayList<>(List.of("amtool", "config", "routes", "test",
                "--config.file=" + ALERTMANAGER_EXAMPLE));
        cmd.addAll(List.of(labels));
        Cmd r = Cmd.run(Duration.ofSeconds(30), cmd.toArray(String[]::new));
        assertThat(r.exit()).as(r.output()).isZero();
        // amtool may print a warning about --alertmanager.url before the receiver line.
        List<String> lines = r.output().lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("Warning")).toList();
        return lines.getLast();
    }

    // ---------------------------------------------------------------------------------------
    // Rule contents

    @Test
    void everyAlertHasSeverityForRunbookSummaryAndDescription() throws IOException {
        List<Map<String, Object>> alerts = alertRules();
        assertThat(alerts).isNotEmpty();
        Set<String> footgunAnchors = new TreeSet<>();
        for (Footgun f : Footgun.values()) {
            footgunAnchors.add(f.readmeAnchor());
        }
        for (Map<String, Object> a : alerts) {
            String name = (String) a.get("alert");
            Map<String, Object> labels = map(a.get("labels"));
            Map<String, Object> ann = map(a.get("annotations"));
            assertThat(labels.get("severity")).as(name + " severity").isIn("info", "warning", "critical");
            assertThat(a.get("for")).as(name + " for:").isInstanceOf(String.class);
            assertThat((String) a.get("for")).as(name + " for:").matches("\\d+[smh]");
            for (String key : List.of("summary", "description", "runbook_url")) {
                assertThat(ann.get(key)).as(name + " " + key).isInstanceOf(String.class);
                assertThat(((String) ann.get(key)).strip()).as(name + " " + key).isNotEmpty();
            }
            if (!name.equals("FootgunExporterAbsent")) { // absent() has no target, so no instance to name
                assertThat((String) ann.get("summary")).as(name + " summary names the node")
                        .contains("{{ $labels.instance }}");
            }
            if (!name.equals("FootgunExporterAbsent")) {
                assertThat((String) ann.get("description")).as(name + " description names the node")
                        .contains("{{ $labels.instance }}");
            }
            String runbook = (String) ann.get("runbook_url");
            assertThat(runbook).as(name + " runbook_url").startsWith(RUNBOOK_BASE);
            String anchor = runbook.substring(RUNBOOK_BASE.length());
            Object footgun = labels.get("footgun");
            if (footgun == null) {
                Matcher m = Pattern.compile("footgun=\"(\\w+)\"").matcher((String) a.get("expr"));
                footgun = m.find() ? m.group(1) : null;
            }
            if (footgun != null) {
                assertThat((String) a.get("expr")).as(name + " can be switched off by the target label footgun_mute")
                        .endsWith("unless on(instance, job) up{footgun_mute=~\"all|(.+,)?" + footgun + "(,.+)?\"}");
                assertThat(footgunAnchors).as(name + " runbook anchor names a known footgun").contains(anchor);
                assertThat(anchor).as(name + " runbook anchor").isEqualTo("footgun-" + ((String) footgun).replace('_', '-'));
            } else {
                assertThat(anchor).as(name + " runbook anchor of a health alert").isEqualTo("troubleshooting");
            }
        }
    }

    /** The README's table of levels per footgun: footgun id to its advice, warn and critical cells. */
    static Map<String, List<String>> readmeLevels() throws IOException {
        Map<String, List<String>> levels = new HashMap<>();
        Pattern row = Pattern.compile("^\\| ([a-z_]+) \\| (.*?) \\| (.*?) \\| (.*?) \\|$");
        for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
            Matcher m = row.matcher(line);
            if (m.matches() && Arrays.stream(Footgun.values()).anyMatch(f -> f.id().equals(m.group(1)))) {
                levels.put(m.group(1), List.of(m.group(2), m.group(3), m.group(4)));
            }
        }
        return levels;
    }

    @Test
    void everyFootgunAlertsAtExactlyTheLevelsTheReadmeGivesIt() throws IOException {
        Map<String, List<String>> levels = readmeLevels();
        assertThat(levels.keySet()).as("footguns in the README's level table")
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Footgun.values()).map(Footgun::id).toList());
        List<Map<String, Object>> alerts = alertRules();
        for (Footgun f : Footgun.values()) {
            String selector = "footgun_risk_ratio{footgun=\"" + f.id() + "\"}";
            Set<String> severities = new TreeSet<>();
            for (Map<String, Object> a : alerts) {
                String expr = ((String) a.get("expr")).strip();
                String severity = (String) map(a.get("labels")).get("severity");
                if (expr.startsWith(selector + " >= 0.3 < 0.5\n")) {
                    assertThat(severity).as(f.id() + " advice band").isEqualTo("info");
                } else if (expr.startsWith(selector + " >= 0.5\n")) {
                    assertThat(severity).as(f.id() + " warn level").isIn("warning", "critical");
                }
                if (expr.contains(selector)) {
                    assertThat(a.get("alert")).as(f.id() + " alertname").isEqualTo(camel(f));
                    severities.add(severity);
                } else if (f.id().equals(map(a.get("labels")).get("footgun"))) {
                    severities.add(severity); // an alert on the footgun's raw facts, e.g. the listener page
                }
            }
            List<String> cells = levels.get(f.id());
            Set<String> expected = new TreeSet<>();
            if (!cells.get(0).startsWith("—")) {
                expected.add("info");
            }
            if (!cells.get(1).startsWith("—")) {
                expected.add("warning");
            }
            if (!cells.get(2).startsWith("—")) {
                expected.add("critical");
            }
            assertThat(severities).as(f.id() + ": severities of its risk alerts against the README's levels " + cells)
                    .isEqualTo(expected);
        }
    }

    private static String camel(Footgun f) {
        StringBuilder b = new StringBuilder("Footgun");
        for (String w : f.id().split("_")) {
            b.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        }
        return b.toString();
    }

    @Test
    void theDirectAlertsTheDesignPromisesExist() throws IOException {
        Map<String, List<String>> exprs = new HashMap<>();
        for (Map<String, Object> a : alertRules()) {
            exprs.computeIfAbsent((String) a.get("alert"), k -> new ArrayList<>()).add((String) a.get("expr"));
        }
        assertThat(exprs).containsKeys("FootgunConntrackTableFull", "FootgunConntrackFullWithinHour",
                "FootgunConntrackEarlyDropping", "FootgunConntrackInsertFailing",
                "FootgunEphemeralPortExhaustion", "FootgunEphemeralPortHeadroomLow",
                "FootgunTimeWaitBucketsOverflowing", "FootgunPawsPassiveRejects", "FootgunListenQueueOverflowing",
                "FootgunExporterDown", "FootgunExporterAbsent", "FootgunCollectorFailing");
        // one harm, one page: the overlapping conntrack and port rules are merged into their footgun's critical
        assertThat(exprs).doesNotContainKeys("FootgunConntrackUsageHigh", "FootgunConntrackDropping",
                "FootgunEphemeralPortsNearlyExhausted");
        assertThat(exprs.get("FootgunConntrackTableFull")).anyMatch(e -> e.contains("footgun_conntrack_drop_total"));
        assertThat(exprs.get("FootgunEphemeralPortExhaustion"))
                .anyMatch(e -> e.contains("footgun_ephemeral_port_headroom_connections_per_second") && e.contains(">= 0.8"));
        assertThat(exprs.get("FootgunConntrackFullWithinHour")).allMatch(e -> e.contains("predict_linear"));
        // the job's spelling does not matter: static job name or prometheus-operator's <namespace>/<podmonitor>
        assertThat(exprs.get("FootgunExporterDown")).containsExactly("up{job=~\".*" + JOB + ".*\"} == 0");
        assertThat(exprs.get("FootgunExporterAbsent")).containsExactly("absent(up{job=~\".*" + JOB + ".*\"})");
        assertThat(exprs.get("FootgunCollectorFailing")).containsExactly("footgun_scrape_collector_success == 0");
    }

    @Test
    void everyAlertIsUnitTestedFiringAndNotFiring() throws IOException {
        Set<String> fired = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        for (Path file : ruleTestFiles()) {
            Map<String, Object> doc = map(MiniYaml.parse(Files.readString(file)));
            for (Object t : list(doc.get("tests"))) {
                for (Object c : list(map(t).getOrDefault("alert_rule_test", List.of()))) {
                    Map<String, Object> check = map(c);
                    String name = (String) check.get("alertname");
                    List<Object> exp = list(check.getOrDefault("exp_alerts", List.of()));
                    (exp.isEmpty() ? silent : fired).add(name);
                    for (Object e : exp) {
                        Map<String, Object> ea = map(e);
                        assertThat(map(ea.get("exp_labels"))).as(file + " " + name + " exp_labels")
                                .containsKeys(name.equals("FootgunExporterAbsent") ? new String[] {"severity"}
                                        : new String[] {"severity", "instance"});
                        assertThat(map(ea.get("exp_annotations"))).as(file + " " + name + " exp_annotations")
                                .containsKeys("summary", "description", "runbook_url");
                    }
                }
            }
        }
        Set<String> names = new TreeSet<>();
        alertRules().forEach(a -> names.add((String) a.get("alert")));
        assertThat(fired).as("alerts with a firing unit test").containsAll(names);
        assertThat(silent).as("alerts with a must-not-fire unit test").containsAll(names);
    }

    @Test
    void recordingRulesFollowTheLevelMetricOperationsConvention() throws IOException {
        Map<String, Object> doc = map(MiniYaml.parse(Files.readString(RULES)));
        List<String> records = new ArrayList<>();
        for (Object g : list(doc.get("groups"))) {
            for (Object r : list(map(g).get("rules"))) {
                Object rec = map(r).get("record");
                if (rec != null) {
                    records.add((String) rec);
                }
            }
        }
        assertThat(records).contains("instance:footgun_conntrack_usage:ratio",
                "instance_destination:footgun_ephemeral_ports_usage:ratio");
        assertThat(records).allMatch(r -> r.matches("[a-z_]+:footgun_[a-z0-9_]+:[a-z0-9_]+"));
    }

    // ---------------------------------------------------------------------------------------
    // Dashboard

    @Test
    void dashboardImportsIntoCurrentGrafana() throws IOException {
        Map<String, Object> d = map(MiniJson.parse(Files.readString(DASHBOARD)));
        assertThat(d).doesNotContainKey("__inputs").doesNotContainKey("__requires");
        assertThat(((Number) d.get("schemaVersion")).intValue()).isGreaterThanOrEqualTo(39);
        assertThat(d.get("uid")).isInstanceOf(String.class);
        Map<String, Map<String, Object>> vars = new HashMap<>();
        for (Object v : list(map(d.get("templating")).get("list"))) {
            vars.put((String) map(v).get("name"), map(v));
        }
        assertThat(vars.get("datasource")).containsEntry("type", "datasource").containsEntry("query", "prometheus");
        // job, cluster (when Prometheus has one) and node (the PodMonitor's) beside instance, each from
        // footgun_build_info and narrowed by the ones before it
        List<String> order = List.of("job", "cluster", "node", "instance");
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            Map<String, Object> v = vars.get(name);
            assertThat(v).as("variable " + name).isNotNull().containsEntry("type", "query");
            String q = (String) v.get("definition");
            assertThat(q).as(name).startsWith("label_values(footgun_build_info").endsWith(", " + name + ")");
            assertThat(map(v.get("query"))).containsEntry("query", q);
            for (String before : order.subList(0, i)) {
                assertThat(q).as(name + " is narrowed by " + before).contains(before + "=~\"$" + before + "\"");
            }
        }
        // cluster and node are optional labels: "All" must be .* so series without them still match
        assertThat(vars.get("cluster")).containsEntry("includeAll", true).containsEntry("allValue", ".*");
        assertThat(vars.get("node")).containsEntry("includeAll", true).containsEntry("allValue", ".*");

        Set<Object> ids = new LinkedHashSet<>();
        for (Map<String, Object> p : panels(d)) {
            String title = (String) p.get("title");
            assertThat(ids.add(p.get("id"))).as("unique id of " + title).isTrue();
            Map<String, Object> grid = map(p.get("gridPos"));
            int x = ((Number) grid.get("x")).intValue();
            int w = ((Number) grid.get("w")).intValue();
            assertThat(x + w).as("width of " + title).isLessThanOrEqualTo(24);
            // Grafana reads noValue from fieldConfig.defaults; on the panel itself it is ignored
            assertThat(p).as(title + ": noValue at panel level").doesNotContainKey("noValue");
            if (p.get("type").equals("row")) {
                continue;
            }
            assertThat((String) p.get("description")).as("description of " + title).isNotBlank();
            assertThat((String) p.get("description")).as("description of " + title + " says what is bad")
                    .containsIgnoringCase("bad");
            assertThat(map(p.get("datasource"))).as("datasource of " + title).containsEntry("uid", "${datasource}");
            assertThat(list(p.get("targets"))).as("queries of " + title).isNotEmpty();
        }
    }

    @Test
    void everyFootgunHasARiskPanelAndTheDashboardHasTheRequiredViews() throws IOException {
        List<PanelQuery> queries = panelQueries(DASHBOARD, DASHBOARD_VARIABLES);
        for (Footgun f : Footgun.values()) {
            assertThat(queries).as("risk panel for " + f.id())
                    .anyMatch(q -> (q.panelType().equals("stat") || q.panelType().equals("bargauge"))
                            && q.expr().contains("footgun_risk_ratio{")
                            && q.expr().contains("footgun=\"" + f.id() + "\""));
        }
        assertThat(queries).anyMatch(q -> q.panelType().equals("heatmap") && q.expr().contains("footgun_tcp_rtt_seconds_bucket"));
        assertThat(queries).anyMatch(q -> q.expr().contains("instance:footgun_conntrack_usage:ratio"));
        assertThat(queries).anyMatch(q -> q.expr().contains("instance:footgun_conntrack_time_to_full:seconds"));
        assertThat(queries).anyMatch(q -> q.expr().contains("footgun_tcp_time_wait_sockets"));
        assertThat(queries).anyMatch(q -> q.expr().contains("instance_destination:footgun_ephemeral_ports_usage:ratio"));
        assertThat(queries).anyMatch(q -> q.expr().contains("rate(footgun_tcpext_"));
        assertThat(queries).anyMatch(q -> q.expr().contains("footgun_scrape_collector_success"));
        for (PanelQuery q : queries) {
            assertThat(q.expr()).as(q.panelTitle() + " " + q.refId() + " has its variables substituted")
                    .doesNotContain("$");
            // every selector of a footgun family (recording rules included) carries every variable
            Matcher sel = Pattern.compile("(?:footgun_|:footgun_)[a-z0-9_:]*\\{([^}]*)}").matcher(q.expr());
            while (sel.find()) {
                assertThat(sel.group(1)).as(q.panelTitle() + " " + q.refId() + " selector " + sel.group())
                        .contains("job=~\".*\"", "cluster=~\".*\"", "node=~\".*\"", "instance=~\"node-a\"");
            }
            if (NETLINK_METRICS.matcher(q.expr()).find()) {
                assertThat(q.description()).as(q.panelTitle() + " says it needs netlink sock_diag")
                        .contains("netlink sock_diag");
            }
        }
    }

    /** Values for the dashboard's variables when its queries run outside Grafana: one node, the rest "All". */
    static final Map<String, String> DASHBOARD_VARIABLES = Map.of("job", ".*", "cluster", ".*", "node", ".*", "instance", "node-a");

    /** Grafana units per unit suffix of a metric name (…_seconds, a recording rule's …:seconds). */
    static final Map<String, Set<String>> UNITS_BY_SUFFIX = Map.of(
            "seconds", Set.of("s", "ms", "µs", "ns", "dtdurations", "dtdurationms"),
            "bytes", Set.of("bytes", "decbytes", "kbytes", "mbytes"),
            "bytes_per_second", Set.of("Bps", "binBps", "decBps"),
            "ratio", Set.of("percentunit", "none"));

    /** Sysctls counted in seconds, whose names carry no unit suffix. */
    static final List<String> SECONDS_SYSCTLS = List.of("tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_fin_timeout");

    @Test
    void everyPanelsUnitMatchesItsMetricsUnitSuffix() throws IOException {
        Map<String, Object> d = map(MiniJson.parse(Files.readString(DASHBOARD)));
        List<String> wrong = new ArrayList<>();
        for (Map<String, Object> p : panels(d)) {
            if (p.get("type").equals("row")) {
                continue;
            }
            Map<String, Object> fc = map(p.get("fieldConfig"));
            String panelUnit = (String) map(fc.get("defaults")).get("unit");
            Map<String, String> byRef = new HashMap<>();
            for (Object o : list(fc.getOrDefault("overrides", List.of()))) {
                Map<String, Object> ov = map(o);
                Map<String, Object> matcher = map(ov.get("matcher"));
                for (Object prop : list(ov.get("properties"))) {
                    if ("byFrameRefID".equals(matcher.get("id")) && "unit".equals(map(prop).get("id"))) {
                        byRef.put((String) matcher.get("options"), (String) map(prop).get("value"));
                    }
                }
            }
            for (Object t : list(p.get("targets"))) {
                Map<String, Object> target = map(t);
                String expr = (String) target.get("expr");
                String unit = byRef.getOrDefault((String) target.get("refId"), panelUnit);
                String suffix = unitSuffix(expr);
                if (suffix != null && !UNITS_BY_SUFFIX.get(suffix).contains(unit)) {
                    wrong.add(p.get("title") + " [" + target.get("refId") + "] reads a _" + suffix + " metric with unit " + unit
                            + ": " + expr);
                }
                for (String sysctl : SECONDS_SYSCTLS) {
                    if (expr.contains("footgun_sysctl_net_ipv4_" + sysctl + "{") && !"s".equals(unit)) {
                        wrong.add(p.get("title") + " [" + target.get("refId") + "] shows " + sysctl + " (seconds) with unit " + unit);
                    }
                }
            }
        }
        assertThat(wrong).as("panels whose unit does not match their metric").isEmpty();
    }

    /**
     * The unit suffix of what a query shows: that of its first metric, or none when it divides two
     * metrics of one unit (a ratio of seconds is dimensionless) or takes a rate (a count per second).
     */
    static String unitSuffix(String expr) {
        Matcher m = Pattern.compile("\\b(?:[a-z_]+:)?footgun_[a-z0-9_]*?(?:_|:)(seconds|bytes_per_second|bytes|ratio)(?:_bucket)?\\b(?!_)")
                .matcher(expr);
        if (!m.find() || expr.contains("rate(")) {
            return null;
        }
        String first = m.group(1);
        if (expr.contains(" / ") && m.find() && m.group(1).equals(first) && !first.equals("ratio")) {
            return null;
        }
        return first;
    }

    /** tcp_info-derived families that only the netlink socket source provides. */
    static final Pattern NETLINK_METRICS = Pattern.compile(
            "footgun_tcp_(rtt|min_rtt|congestion_window|delivery_rate|retransmits_bucket|rwnd_limited|sndbuf_limited|busy)"
                    + "|footgun_destination_");

    @Test
    void everyPanelQueryIsValidPromQL(@TempDir Path tmp) throws IOException {
        assumeTool("promtool", "prometheus");
        // promtool has no offline query parser, but it parses every rule's expression: wrap each
        // panel query in a recording rule and let `promtool check rules` judge it.
        List<PanelQuery> queries = panelQueries(DASHBOARD, DASHBOARD_VARIABLES);
        StringBuilder y = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            y.append("      - record: panel_query_").append(i).append("\n        expr: '")
                    .append(queries.get(i).expr().replace("'", "''")).append("'\n");
        }
        Path file = tmp.resolve("dashboard-queries.yml");
        Files.writeString(file, y);
        Cmd r = Cmd.run(Duration.ofSeconds(60), "promtool", "check", "rules", file.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + queries.size() + " rules found");
    }

    // ---------------------------------------------------------------------------------------
    // Reusable: the dashboard's queries, for this test and the end-to-end test.

    /** One query of one dashboard panel, with the dashboard's variables substituted. */
    record PanelQuery(int panelId, String panelTitle, String panelType, String description, String refId,
            String expr, boolean instant) {}

    /** Values for Grafana's built-in variables when a query runs outside Grafana. */
    static final Map<String, String> GRAFANA_BUILTINS = Map.of(
            "__rate_interval", "1m", "__interval", "15s", "__range", "1h", "__range_s", "3600",
            "datasource", "prometheus");

    /**
     * Every panel's PromQL (rows' nested panels included) with {@code $var}, {@code ${var}},
     * {@code ${var:fmt}} and {@code [[var]]} replaced from {@code variables}, then from
     * {@link #GRAFANA_BUILTINS}. Unknown variables are left in place for the caller to catch.
     */
    static List<PanelQuery> panelQueries(Path dashboardJson, Map<String, String> variables) throws IOException {
        Map<String, String> vars = new HashMap<>(GRAFANA_BUILTINS);
        vars.putAll(variables);
        Map<String, Object> d = map(MiniJson.parse(Files.readString(dashboardJson)));
        List<PanelQuery> out = new ArrayList<>();
        for (Map<String, Object> p : panels(d)) {
            for (Object t : list(p.getOrDefault("targets", List.of()))) {
                Map<String, Object> target = map(t);
                Object expr = target.get("expr");
                if (!(expr instanceof String e) || e.isBlank() || Boolean.TRUE.equals(target.get("hide"))) {
                    continue;
                }
                out.add(new PanelQuery(((Number) p.get("id")).intValue(), (String) p.get("title"),
                        (String) p.get("type"), (String) p.getOrDefault("description", ""),
                        (String) target.get("refId"), substitute(e, vars), Boolean.TRUE.equals(target.get("instant"))));
            }
        }
        return out;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[\\w]+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");

    static String substitute(String expr, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = vars.get(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** All panels, with those nested in collapsed rows flattened in. */
    static List<Map<String, Object>> panels(Map<String, Object> dashboard) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object p : list(dashboard.get("panels"))) {
            out.add(map(p));
            for (Object nested : list(map(p).getOrDefault("panels", List.of()))) {
                out.add(map(nested));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------
    // Helpers

    static List<Map<String, Object>> alertRules() throws IOException {
        Map<String, Object> doc = map(MiniYaml.parse(Files.readString(RULES)));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object g : list(doc.get("groups"))) {
            for (Object r : list(map(g).get("rules"))) {
                if (map(r).containsKey("alert")) {
                    out.add(map(r));
                }
            }
        }
        return out;
    }

    static List<Path> ruleTestFiles() throws IOException {
        try (Stream<Path> s = Files.list(RULE_TESTS)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
            assertThat(files).as("unit test files in " + RULE_TESTS).isNotEmpty();
            return files;
        }
    }

    static void assumeTool(String tool, String debianPackage) {
        assumeTrue(onPath(tool), tool + " is not on PATH: install the Debian package '" + debianPackage
                + "' to run the alerting checks (CI installs it)");
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return (List<Object>) o;
    }

    /** A finished command: exit code and stdout+stderr. */
    record Cmd(int exit, String output) {

        static Cmd run(Duration timeout, String... command) {
            return run(timeout, ROOT, command);
        }

        static Cmd run(Duration timeout, Path dir, String... command) {
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
                p.getOutputStream().close();
                // Read on this thread: the tools print little, and reading prevents pipe stalls.
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout);
                }
                return new Cmd(p.exitValue(), new String(out, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Minimal parsers (no new dependency): JSON in full, YAML in the block subset our files use.

    /** RFC 8259 JSON to Map (insertion-ordered) / List / String / Double / Boolean / null. */
    static final class MiniJson {
        private final String s;
        private int i;

        private MiniJson(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            MiniJson p = new MiniJson(text);
            Object v = p.value();
            p.ws();
            if (p.i != p.s.length()) {
                throw p.error("trailing characters");
            }
            return v;
        }

        private Object value() {
            ws();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            ws();
            if (peek('}')) {
                i++;
                return m;
            }
            while (true) {
                ws();
                if (!peek('"')) {
                    throw error("expected a key");
                }
                String k = string();
                ws();
                expect(':');
                if (m.put(k, value()) != null) {
                    throw error("duplicate key " + k);
                }
                ws();
                if (peek(',')) {
                    i++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            ws();
            if (peek(']')) {
                i++;
                return l;
            }
            while (true) {
                l.add(value());
                ws();
                if (peek(',')) {
                    i++;
                } else {
                    expect(']');
                    return l;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Double number() {
            Matcher m = Pattern.compile("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?").matcher(s).region(i, s.length());
            if (!m.lookingAt()) {
                throw error("unexpected character '" + s.charAt(i) + "'");
            }
            i = m.end();
            return Double.valueOf(m.group());
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) {
                throw error("expected " + word);
            }
            i += word.length();
            return v;
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at offset " + i);
        }
    }

    /**
     * Block-style YAML: mappings, sequences, plain / single- / double-quoted scalars, block
     * scalars ({@code |}, {@code >} with {@code -}), comments, and the flow forms {@code []},
     * {@code {}} and flat {@code [a, b]} / {@code {k: v}}. No anchors, tags or multi-documents:
     * it fails loudly on them rather than guess. Scalars stay strings.
     */
    static final class MiniYaml {
        private final List<String> lines;
        private int n;

        private MiniYaml(String text) {
            this.lines = Arrays.asList(text.replace("\r\n", "\n").split("\n", -1));
        }

        static Object parse(String text) {
            MiniYaml y = new MiniYaml(text);
            y.skipBlank();
            if (y.n >= y.lines.size()) {
                return null;
            }
            Object v = y.block(y.indent(y.lines.get(y.n)));
            y.skipBlank();
            if (y.n < y.lines.size()) {
                throw y.error("unexpected indentation");
            }
            return v;
        }

        private Object block(int indent) {
            String first = lines.get(n).substring(indent);
            return first.equals("-") || first.startsWith("- ") ? sequence(indent) : mapping(indent);
        }

        private List<Object> sequence(int indent) {
            List<Object> out = new ArrayList<>();
            while (true) {
                skipBlank();
                if (n >= lines.size() || indent(lines.get(n)) != indent) {
                    return out;
                }
                String rest = lines.get(n).substring(indent);
                if (!(rest.equals("-") || rest.startsWith("- "))) {
                    return out;
                }
                String item = rest.substring(1).stripLeading();
                if (stripComment(item).isEmpty()) {
                    n++;
                    skipBlank();
                    out.add(n < lines.size() && indent(lines.get(n)) > indent ? block(indent(lines.get(n))) : null);
                } else {
                    // "- key: v" opens a mapping whose keys sit where "key" starts.
                    int itemIndent = indent + rest.indexOf(item);
                    lines.set(n, " ".repeat(itemIndent) + item);
                    out.add(isMappingLine(item) ? mapping(itemIndent) : scalarLine(item, itemIndent));
                }
            }
        }

        private Map<String, Object> mapping(int indent) {
            Map<String, Object> out = new LinkedHashMap<>();
            while (true) {
                skipBlank();
                if (n >= lines.size() || indent(lines.get(n)) != indent) {
                    return out;
                }
                String line = lines.get(n).substring(indent);
                if (line.startsWith("- ") || line.equals("-")) {
                    return out;
                }
                int colon = keyColon(line);
                if (colon < 0) {
                    throw error("expected 'key: value'");
                }
                String key = unquote(line.substring(0, colon).strip());
                String value = stripComment(line.substring(colon + 1)).strip();
                Object v;
                if (value.isEmpty()) {
                    n++;
                    skipBlank();
                    if (n < lines.size() && (indent(lines.get(n)) > indent
                            || (indent(lines.get(n)) == indent && lines.get(n).substring(indent).startsWith("- ")))) {
                        v = block(indent(lines.get(n)));
                    } else {
                        v = null;
                    }
                } else {
                    v = scalarLine(value, indent);
                }
                if (out.put(key, v) != null) {
                    throw error("duplicate key " + key);
                }
            }
        }

        /** A value on the current line (consumed), possibly continued by a block scalar's lines. */
        private Object scalarLine(String raw, int parentIndent) {
            String value = stripComment(raw).strip();
            if (value.startsWith("&") || value.startsWith("*") || value.startsWith("!")) {
                throw error("anchors, aliases and tags are not supported");
            }
            n++;
            if (value.matches("[|>][+-]?")) {
                return blockScalar(value, parentIndent);
            }
            if (value.startsWith("[") || value.startsWith("{")) {
                return flow(value);
            }
            StringBuilder plain = new StringBuilder(unquote(value));
            if (!value.startsWith("'") && !value.startsWith("\"")) {
                // Plain scalars may continue on more-indented lines, folded with spaces.
                while (n < lines.size() && !lines.get(n).isBlank() && indent(lines.get(n)) > parentIndent
                        && !lines.get(n).strip().startsWith("#")) {
                    plain.append(' ').append(stripComment(lines.get(n)).strip());
                    n++;
                }
            }
            return plain.toString();
        }

        private String blockScalar(String header, int parentIndent) {
            List<String> body = new ArrayList<>();
            int bodyIndent = -1;
            while (n < lines.size()) {
                String l = lines.get(n);
                if (l.isBlank()) {
                    body.add("");
                    n++;
                    continue;
                }
                int ind = indent(l);
                if (ind <= parentIndent) {
                    break;
                }
                if (bodyIndent < 0) {
                    bodyIndent = ind;
                }
                body.add(l.substring(Math.min(bodyIndent, ind)));
                n++;
            }
            while (!body.isEmpty() && body.getLast().isEmpty()) {
                body.removeLast();
                n--;
            }
            while (n < lines.size() && lines.get(n).isBlank()) {
                n++;
            }
            String text;
            if (header.startsWith("|")) {
                text = String.join("\n", body);
            } else {
                StringBuilder b = new StringBuilder();
                for (String l : body) {
                    if (l.isEmpty()) {
                        b.append('\n');
                    } else {
                        if (!b.isEmpty() && b.charAt(b.length() - 1) != '\n') {
                            b.append(' ');
                        }
                        b.append(l);
                    }
                }
                text = b.toString();
            }
            return header.endsWith("-") ? text : text + "\n";
        }

        private Object flow(String v) {
            String inner = v.substring(1, v.length() - 1).strip();
            boolean seq = v.startsWith("[");
            if (!(seq ? v.endsWith("]") : v.endsWith("}"))) {
                throw error("multi-line flow collections are not supported");
            }
            if (inner.isEmpty()) {
                return seq ? new ArrayList<>() : new LinkedHashMap<>();
            }
            List<String> parts = splitFlow(inner);
            if (seq) {
                List<Object> l = new ArrayList<>();
                parts.forEach(p -> l.add(unquote(p.strip())));
                return l;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            for (String p : parts) {
                int c = keyColon(p.strip());
                if (c < 0) {
                    throw error("expected key: value in flow mapping");
                }
                m.put(unquote(p.strip().substring(0, c).strip()), unquote(p.strip().substring(c + 1).strip()));
            }
            return m;
        }

        private List<String> splitFlow(String s) {
            List<String> parts = new ArrayList<>();
            int start = 0;
            char quote = 0;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '[' || c == '{') {
                    throw error("nested flow collections are not supported");
                } else if (c == ',') {
                    parts.add(s.substring(start, k));
                    start = k + 1;
                }
            }
            parts.add(s.substring(start));
            return parts;
        }

        private static boolean isMappingLine(String s) {
            return keyColon(s) >= 0;
        }

        /** Index of the ':' ending a key (followed by a space or the line's end), outside quotes. */
        private static int keyColon(String s) {
            char quote = 0;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if ((c == '\'' || c == '"') && k == 0) {
                    quote = c;
                } else if (c == '#' && k > 0 && s.charAt(k - 1) == ' ') {
                    return -1;
                } else if (c == ':' && (k + 1 == s.length() || s.charAt(k + 1) == ' ')) {
                    return k;
                } else if ((c == '[' || c == '{') && k == 0) {
                    return -1;
                }
            }
            return -1;
        }

        private static String stripComment(String s) {
            char quote = 0;
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if ((c == '\'' || c == '"') && (k == 0 || s.charAt(k - 1) == ' ' || s.charAt(k - 1) == '[' || s.charAt(k - 1) == '{' || s.charAt(k - 1) == ',')) {
                    quote = c;
                } else if (c == '#' && (k == 0 || s.charAt(k - 1) == ' ')) {
                    return s.substring(0, k);
                }
            }
            return s;
        }

        private static String unquote(String v) {
            if (v.length() >= 2 && v.startsWith("'") && v.endsWith("'")) {
                return v.substring(1, v.length() - 1).replace("''", "'");
            }
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                StringBuilder b = new StringBuilder();
                for (int k = 1; k < v.length() - 1; k++) {
                    char c = v.charAt(k);
                    if (c == '\\' && k + 1 < v.length() - 1) {
                        char e = v.charAt(++k);
                        b.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            default -> e;
                        });
                    } else {
                        b.append(c);
                    }
                }
                return b.toString();
            }
            return v;
        }

        private void skipBlank() {
            while (n < lines.size() && (lines.get(n).isBlank() || lines.get(n).strip().startsWith("#"))) {
                n++;
            }
        }

        private static int indent(String l) {
            int k = 0;
            while (k < l.length() && l.charAt(k) == ' ') {
                k++;
            }
            return k;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("YAML line " + (n + 1) + ": " + what + ": " + (n < lines.size() ? lines.get(n) : "<end>"));
        }
    }
}

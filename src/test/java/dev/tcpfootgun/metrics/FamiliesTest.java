package dev.tcpfootgun.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Families named from kernel text are checked before they join a scrape: a clash, a name that is
 * not a plain metric name, too many of them fail that source alone, and the exposition the rest
 * makes is one the registry writes (it refuses a name given twice, which was a 500 for every scrape).
 */
class FamiliesTest {

    private static String names(Families.Resolved r) {
        return String.join(" ", r.snapshots().stream().map(m -> m.getMetadata().getPrometheusName()).sorted().toList());
    }

    /** What the registry makes of these families, as client_java's HTTP server would write them. */
    private static String exposition(List<MetricSnapshot> snapshots) throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(() -> new MetricSnapshots(snapshots));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString();
    }

    private static Families withFixed() {
        Families f = new Families();
        f.gauge("footgun_conntrack_buckets", "Conntrack hash table buckets.").set(1).add();
        return f;
    }

    @Test
    void validUniqueKernelNamesAreShown() throws Exception {
        Families f = withFixed();
        f.fromKernelText("conntrack", k -> {
            k.counter("footgun_conntrack_drop", "drop").set(1).add();
            k.counter("footgun_conntrack_early_drop", "early_drop").set(2).add();
        });
        Families.Resolved r = f.resolve();
        assertThat(r.refused()).isEmpty();
        assertThat(names(r)).isEqualTo("footgun_conntrack_buckets footgun_conntrack_drop footgun_conntrack_early_drop");
        assertThat(exposition(r.snapshots())).contains("footgun_conntrack_drop_total 1.0");
    }

    @Test
    void namesDifferingOnlyInCaseFailTheirSourceAndTheRestIsWritten() throws Exception {
        Families f = withFixed();
        f.fromKernelText("conntrack", k -> {
            k.counter("footgun_conntrack_drop", "Conntrack statistic drop").set(1).add();
            k.counter("footgun_conntrack_drop", "Conntrack statistic DROP").set(2).add();
        });
        f.fromKernelText("sockstat", k -> k.gauge("footgun_sockstat_tcp_inuse", "TCP inuse").set(3).add());
        Families.Resolved r = f.resolve();
        assertThat(r.refused()).containsOnlyKeys("conntrack");
        assertThat(r.refused().get("conntrack")).isEqualTo("metric name footgun_conntrack_drop would be given twice, "
                + "for \"Conntrack statistic drop\" and for \"Conntrack statistic DROP\"");
        assertThat(names(r)).isEqualTo("footgun_conntrack_buckets footgun_sockstat_tcp_inuse");
        assertThat(exposition(r.snapshots())).contains("footgun_sockstat_tcp_inuse 3.0");
    }

    @Test
    void aKernelNameEqualToAFixedOneFailsItsSource() {
        Families f = withFixed();
        f.fromKernelText("conntrack", k -> k.counter("footgun_conntrack_buckets", "Conntrack statistic buckets").set(1).add());
        Families.Resolved r = f.resolve();
        assertThat(r.refused().get("conntrack")).contains("footgun_conntrack_buckets would be given twice")
                .contains("Conntrack hash table buckets.");
        assertThat(names(r)).isEqualTo("footgun_conntrack_buckets");
    }

    @Test
    void aNameProducingAnotherFamilysSeriesOrNotPlainFailsItsSource() {
        for (String bad : List.of("footgun_conntrack_x_total", "footgun_conntrack_x_info", "footgun_conntrack_x_bucket",
                "footgun_conntrack_x.y", "footgun_conntrack_\u00e9")) {
            Families f = new Families();
            f.fromKernelText("conntrack", k -> k.counter(bad, "column").set(1).add());
            Families.Resolved r = f.resolve();
            assertThat(r.refused().get("conntrack")).as(bad).contains("would be named " + bad);
            assertThat(r.snapshots()).isEmpty();
        }
    }

    @Test
    void moreKernelNamedFamiliesThanTheBoundFailTheirSource() {
        Families f = new Families();
        f.fromKernelText("conntrack", k -> {
            for (int i = 0; i <= Families.MAX_KERNEL_NAMED; i++) {
                k.counter("footgun_conntrack_c" + i, "column c" + i).set(i).add();
            }
        });
        Families.Resolved r = f.resolve();
        assertThat(r.refused().get("conntrack")).isEqualTo((Families.MAX_KERNEL_NAMED + 1)
                + " metric families named from kernel text, more than the " + Families.MAX_KERNEL_NAMED + " any kernel gives");
        assertThat(r.snapshots()).isEmpty();
    }

    @Test
    void aLabelValueOverTheBoundLeavesThatSeriesOutAndSaysSo() throws Exception {
        Families f = new Families();
        f.gauge("footgun_sysctl_info", "sysctls")
                .set(1, "name", "a", "value", "x".repeat(Families.MAX_LABEL_VALUE + 1))
                .set(1, "name", "b", "value", "y".repeat(Families.MAX_LABEL_VALUE))
                .add();
        Families.Resolved r = f.resolve();
        assertThat(r.leftOut()).containsExactly("footgun_sysctl_info{value=...}: a label value of "
                + (Families.MAX_LABEL_VALUE + 1) + " characters, longer than " + Families.MAX_LABEL_VALUE + ": series left out");
        assertThat(exposition(r.snapshots())).contains("name=\"b\"").doesNotContain("name=\"a\"");
    }

    @Test
    void aFixedFamilyRenderedTwiceKeepsTheFirstInsteadOfFailingTheScrape() throws Exception {
        Families f = new Families();
        f.gauge("footgun_x", "first").set(1).add();
        f.gauge("footgun_x", "second").set(2).add();
        Families.Resolved r = f.resolve();
        assertThat(exposition(r.snapshots())).contains("footgun_x 1.0").doesNotContain("footgun_x 2.0");
        assertThat(r.leftOut()).containsExactly("metric family footgun_x rendered twice: the second left out");
    }

    private static MetricSnapshot only(Families f, String name) {
        return f.resolve().snapshots().stream().filter(m -> m.getMetadata().getName().equals(name)).findFirst().orElseThrow();
    }

    /**
     * Labels and metadata are built once and kept for the scrapes after (client_java validates each it
     * builds): the next scrape's are the same objects, equal to what client_java builds from scratch;
     * different help or another type is other metadata; labels client_java refuses (a name twice) are refused every time.
     */
    @Test
    void labelsAndMetadataAreBuiltOnceAndKeptAcrossScrapes() {
        Families first = new Families();
        first.gauge("families_test_kept_seconds", "Kept.").set(1, "b", "2", "a", "1").add();
        Families second = new Families();
        second.gauge("families_test_kept_seconds", "Kept.").set(5, "b", "2", "a", "1").add();
        MetricSnapshot one = only(first, "families_test_kept_seconds");
        MetricSnapshot two = only(second, "families_test_kept_seconds");
        assertThat(two.getMetadata()).isSameAs(one.getMetadata());
        assertThat((Object) two.getDataPoints().getFirst().getLabels()).isSameAs(one.getDataPoints().getFirst().getLabels())
                .isEqualTo(io.prometheus.metrics.model.snapshots.Labels.of("a", "1", "b", "2"));
        var fresh = io.prometheus.metrics.model.snapshots.GaugeSnapshot.builder().name("families_test_kept_seconds").help("Kept.")
                .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS).build().getMetadata();
        assertThat(one.getMetadata()).usingRecursiveComparison().isEqualTo(fresh);

        Families other = new Families();
        other.gauge("families_test_kept_seconds", "Other help.").set(1).add();
        other.counter("families_test_kept_counter", "Kept.").set(1, "b", "2", "a", "1").add();
        assertThat(only(other, "families_test_kept_seconds").getMetadata().getHelp()).isEqualTo("Other help.");
        assertThat(only(other, "families_test_kept_counter")).isInstanceOf(io.prometheus.metrics.model.snapshots.CounterSnapshot.class);

        for (int i = 0; i < 2; i++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Families.labels("dup", "x", "dup", "y"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Past the bound the kept labels are dropped and built again: more distinct series than any scrape has never grow it further. */
    @Test
    void keptLabelsAreBounded() {
        for (int i = 0; i < Families.KEPT + 10; i++) {
            assertThat(Families.labels("families_test_n", Integer.toString(i)).get("families_test_n")).isEqualTo(Integer.toString(i));
        }
        assertThat(Families.labelsKept()).isLessThanOrEqualTo(Families.KEPT);
    }

    /** One scrape's family, as written: a family whose labels or values changed since the last scrape shows the new ones. */
    private static String scrapeOf(double a, double b, String... extra) throws Exception {
        Families f = new Families();
        var g = f.gauge("families_test_kept", "Kept across scrapes.").set(b, "dst", "b").set(a, "dst", "a");
        if (extra.length > 0) {
            g.set(9, extra);
        }
        g.add();
        return exposition(f.resolve().snapshots()).replaceAll("(?s)^.*?(families_test_kept\\{)", "$1");
    }

    @Test
    void aFamilyKeptFromTheLastScrapeShowsThisScrapesLabelsAndValuesInOrder() throws Exception {
        assertThat(scrapeOf(1, 2)).isEqualTo("families_test_kept{dst=\"a\"} 1.0\nfamilies_test_kept{dst=\"b\"} 2.0\n");
        assertThat(scrapeOf(1, 2)).isEqualTo("families_test_kept{dst=\"a\"} 1.0\nfamilies_test_kept{dst=\"b\"} 2.0\n");
        assertThat(scrapeOf(4, 3)).isEqualTo("families_test_kept{dst=\"a\"} 4.0\nfamilies_test_kept{dst=\"b\"} 3.0\n");
        assertThat(scrapeOf(4, 3, "dst", "0")).isEqualTo("families_test_kept{dst=\"0\"} 9.0\n"
                + "families_test_kept{dst=\"a\"} 4.0\nfamilies_test_kept{dst=\"b\"} 3.0\n");
        assertThat(scrapeOf(Double.NaN, 3)).isEqualTo("families_test_kept{dst=\"a\"} NaN\nfamilies_test_kept{dst=\"b\"} 3.0\n");
        assertThat(scrapeOf(-0.0, 3)).isEqualTo("families_test_kept{dst=\"a\"} -0.0\nfamilies_test_kept{dst=\"b\"} 3.0\n");
        assertThat(scrapeOf(0.0, 3)).isEqualTo("families_test_kept{dst=\"a\"} 0.0\nfamilies_test_kept{dst=\"b\"} 3.0\n");
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> names() {
        return net.jqwik.api.Arbitraries.oneOf(
                net.jqwik.api.Arbitraries.strings().withChars("abzAZ09_\n.-é").ofMaxLength(12),
                net.jqwik.api.Arbitraries.of("_total", "_created", "_bucket", "_count", "_sum", "_info", "_gcount", "_gsum", "total", "_")
                        .map(suffix -> "footgun_x" + suffix),
                net.jqwik.api.Arbitraries.of("", "9lives", "_", "a_total\n", "a_totals", "a_info_x"));
    }

    /** A kernel-named family's name is checked as the two regexes it replaced checked it. */
    @net.jqwik.api.Property(tries = 1000)
    void aPlainNameIsWhatTheRegexesSaid(@net.jqwik.api.ForAll("names") String name) {
        boolean before = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*").matcher(name).matches()
                && !java.util.regex.Pattern.compile(".*_(total|created|bucket|count|sum|info|gcount|gsum)").matcher(name).matches();
        assertThat(Families.plainName(name)).as(name).isEqualTo(before);
    }
    /** A gauge's Labels are the last scrape's while its pairs are the same (in any order given), new ones when a value or a name changed. */
    @Test
    void keptLabelsAreReusedOnlyForTheSamePairs() {
        java.util.function.Function<String[], io.prometheus.metrics.model.snapshots.Labels> scrape = pairs -> {
            Families f = new Families();
            f.gauge("families_test_pairs", "Pairs.").set(1, pairs).add();
            return only(f, "families_test_pairs").getDataPoints().getFirst().getLabels();
        };
        var first = scrape.apply(new String[] {"src_ip", "10.0.0.1", "dst_ip", "10.0.0.2"});
        assertThat((Object) scrape.apply(new String[] {"src_ip", "10.0.0.1", "dst_ip", "10.0.0.2"})).isSameAs(first);
        var changed = scrape.apply(new String[] {"src_ip", "10.0.0.1", "dst_ip", "10.0.0.3"});
        assertThat((Object) changed).isEqualTo(io.prometheus.metrics.model.snapshots.Labels.of("dst_ip", "10.0.0.3", "src_ip", "10.0.0.1"));
        assertThat((Object) scrape.apply(new String[] {"src_ip", "10.0.0.1", "dst_port", "10.0.0.3"}))
                .isEqualTo(io.prometheus.metrics.model.snapshots.Labels.of("dst_port", "10.0.0.3", "src_ip", "10.0.0.1"));
        assertThat((Object) scrape.apply(new String[] {"src_ip", "10.0.0.1"})).isEqualTo(io.prometheus.metrics.model.snapshots.Labels.of("src_ip", "10.0.0.1"));
    }

    /** An info or StateSet family made of the same points as the last scrape's is that snapshot; any change shows. */
    @Test
    void infoAndStateSetFamiliesAreKeptWhileTheirPointsAreTheSame() throws Exception {
        List<String> states = List.of("ok", "warn");
        java.util.function.BiFunction<String, String, List<MetricSnapshot>> scrape = (value, current) -> {
            Families f = new Families();
            f.infos("families_test_kept_info", "Kept info.").set("name", "a", "value", value).set("name", "b", "value", "1").add();
            f.info("families_test_single", "Single info.", "value", value);
            f.stateSet("families_test_state", "Kept states.").set(states, current, "footgun", "x").add();
            return f.resolve().snapshots();
        };
        List<MetricSnapshot> first = scrape.apply("v1", "ok");
        List<MetricSnapshot> again = scrape.apply("v1", "ok");
        for (int i = 0; i < first.size(); i++) {
            assertThat(again.get(i)).isSameAs(first.get(i));
        }
        String changed = exposition(scrape.apply("v2", "warn"));
        assertThat(changed).contains("families_test_kept_info{name=\"a\",value=\"v2\"} 1")
                .contains("families_test_single_info{value=\"v2\"} 1")
                .contains("families_test_state{footgun=\"x\",families_test_state=\"ok\"} 0")
                .contains("families_test_state{footgun=\"x\",families_test_state=\"warn\"} 1")
                .doesNotContain("v1");
        assertThat(exposition(scrape.apply("v1", "ok"))).isEqualTo(exposition(first));
    }

    /** A memo adds what its body made for an equal input without running it, refusals too; another input runs it again. */
    @Test
    void aMemoRunsItsBodyOnlyForANewInput() {
        Families.Memo<List<Long>> memo = new Families.Memo<>(List::equals);
        int[] runs = {0};
        java.util.function.Function<Long, Families.Resolved> scrape = input -> {
            Families f = new Families();
            f.fromKernelText("sockstat", k -> k.memo(memo, List.of(input), m -> {
                runs[0]++;
                m.gauge("footgun_sockstat_tcp_inuse", "inuse").set(input).add();
                if (input < 0) {
                    m.gauge("footgun_sockstat_tcp_total", "total").set(1).add();
                }
            }));
            return f.resolve();
        };
        Families.Resolved one = scrape.apply(1L);
        Families.Resolved two = scrape.apply(1L);
        assertThat(runs[0]).isEqualTo(1);
        assertThat(two.snapshots()).containsExactlyElementsOf(one.snapshots());
        Families.Resolved three = scrape.apply(2L);
        assertThat(runs[0]).isEqualTo(2);
        assertThat(((io.prometheus.metrics.model.snapshots.GaugeSnapshot) three.snapshots().getFirst()).getDataPoints().getFirst().getValue())
                .isEqualTo(2.0);
        for (int i = 0; i < 2; i++) {
            Families.Resolved refused = scrape.apply(-1L);
            assertThat(refused.refused()).as("scrape " + i).containsKey("sockstat");
            assertThat(refused.snapshots()).isEmpty();
        }
        assertThat(runs[0]).isEqualTo(3);
    }
}

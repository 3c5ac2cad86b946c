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
}

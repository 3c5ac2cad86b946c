package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.metrics.ExporterMetrics;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * ExpositionWriter against client_java's own writers, byte for byte, in both formats and under every
 * escaping scheme it takes: every metric type, labels and help that need escaping or are not ASCII,
 * the doubles that print oddly, the suffix rules, empty families, and the families it hands back to
 * client_java (names it does not write as they are, exemplars, timestamps) in their place.
 */
class ExpositionWriterTest {

    private static final List<EscapingScheme> SCHEMES = List.of(EscapingScheme.UNDERSCORE_ESCAPING, EscapingScheme.ALLOW_UTF8,
            EscapingScheme.VALUE_ENCODING_ESCAPING);

    static final String ODD = "quote \" backslash \\ newline \n tab \t é 中 \uD83D\uDE00 lone \uD800 and \uDC00 end";

    private static byte[] clientJava(ExpositionFormatWriter w, MetricSnapshots s, EscapingScheme scheme) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out, s, scheme);
        return out.toByteArray();
    }

    private static byte[] ours(ExpositionWriter.Format format, ExpositionFormatWriter fallback, MetricSnapshots s, EscapingScheme scheme)
            throws Exception {
        ExpositionWriter.Body body = new ExpositionWriter.Body(16);
        new ExpositionWriter(format, fallback).write(body, s, scheme);
        return body.toByteArray();
    }

    /** Both formats, every scheme: the same bytes as client_java's writer. */
    static void assertSameAsClientJava(MetricSnapshots s) throws Exception {
        PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
        OpenMetricsTextFormatWriter om = OpenMetricsTextFormatWriter.create();
        for (EscapingScheme scheme : SCHEMES) {
            assertThat(new String(ours(ExpositionWriter.Format.TEXT, text, s, scheme), StandardCharsets.UTF_8)).as("text, " + scheme)
                    .isEqualTo(new String(clientJava(text, s, scheme), StandardCharsets.UTF_8));
            assertThat(ours(ExpositionWriter.Format.TEXT, text, s, scheme)).isEqualTo(clientJava(text, s, scheme));
            assertThat(new String(ours(ExpositionWriter.Format.OPENMETRICS, om, s, scheme), StandardCharsets.UTF_8)).as("openmetrics, " + scheme)
                    .isEqualTo(new String(clientJava(om, s, scheme), StandardCharsets.UTF_8));
            assertThat(ours(ExpositionWriter.Format.OPENMETRICS, om, s, scheme)).isEqualTo(clientJava(om, s, scheme));
        }
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot g(double v, String... labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of(labels)).value(v).build();
    }

    private static CounterSnapshot.CounterDataPointSnapshot c(double v, String... labels) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of(labels)).value(v).build();
    }

    /** Every type the exporter renders and client_java's JVM metrics add, with everything that must be escaped. */
    static MetricSnapshots rich() {
        List<MetricSnapshot> all = new ArrayList<>();
        GaugeSnapshot.Builder doubles = GaugeSnapshot.builder().name("rich_values").help("Doubles that print oddly.");
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1, -1, 42, 1e-7, 1e-300,
            Double.MIN_VALUE, Double.MAX_VALUE, 1e20, 123456789012.0, 0.1 + 0.2, (double) Long.MAX_VALUE, 65535, 3.5e6, 9_999_999, -9_999_999, 1e7, -1e7, 9_999_999.5, 1e6, 100, 10, 9,
            (double) (1L << 53), -(double) (1L << 53), Double.MIN_NORMAL, 5e-324};
        for (int i = 0; i < values.length; i++) {
            doubles.dataPoint(g(values[i], "i", Integer.toString(i)));
        }
        all.add(doubles.build());
        all.add(GaugeSnapshot.builder().name("rich_escaped_ratio").help("Help with \\ backslash, \"quotes\", a\nnewline and é 中 \uD83D\uDE00 \uD800.")
                .unit(Unit.RATIO)
                .dataPoint(g(0.5, "value", ODD, "empty", "", "z_last", "x"))
                .dataPoint(g(0.25, "value", "plain", "empty", "", "z_last", "\\\\\"\"\n\n"))
                .build());
        all.add(GaugeSnapshot.builder().name("rich_no_help_bytes").unit(Unit.BYTES).dataPoint(g(4096)).build());
        all.add(GaugeSnapshot.builder().name("rich_empty_help").help("").dataPoint(g(1)).build());
        all.add(GaugeSnapshot.builder().name("rich_empty_family").help("No data points: not written.").build());
        all.add(CounterSnapshot.builder().name("rich_requests").help("A counter: _total added.")
                .dataPoint(c(0, "code", "200")).dataPoint(c(17, "code", "500")).dataPoint(c(1e-9, "code", ODD)).build());
        all.add(CounterSnapshot.builder().name("rich_cpu_seconds").help("A counter with a unit.").unit(Unit.SECONDS)
                .dataPoint(c(12.75)).build());
        all.add(CounterSnapshot.builder().name("rich_with_created_timestamp").help("Created timestamps are not written by default.")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3).createdTimestampMillis(1_700_000_000_123L).build())
                .build());
        all.add(InfoSnapshot.builder().name("rich_build").help("An info family: _info added.")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("version", "1.0", "branch", ODD)).build())
                .build());
        all.add(InfoSnapshot.builder().name("rich_bare").help("An info without labels.")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().build()).build());
        all.add(StateSetSnapshot.builder().name("rich_status").help("A stateset.")
                .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder().labels(Labels.of("footgun", "b_check"))
                        .state("ok", false).state("warn", true).state("critical", false).build())
                .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder().labels(Labels.of("footgun", "a\"check"))
                        .state("ok", true).state("st\\ate", false).build())
                .build());
        all.add(StateSetSnapshot.builder().name("rich_bare_states").help("A stateset without labels.")
                .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder().state("on", true).state("off", false).build())
                .build());
        double[] bounds = {0.001, 0.5, 1, 2.5, Double.POSITIVE_INFINITY};
        all.add(HistogramSnapshot.builder().name("rich_rtt_seconds").help("A gauge histogram.").unit(Unit.SECONDS).gaugeHistogram(true)
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, new long[] {0, 3, 0, 7, 1})).sum(12.5).build())
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(Labels.of("dst", ODD))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, new long[] {1, 0, 0, 0, 0})).build())
                .build());
        all.add(HistogramSnapshot.builder().name("rich_latency").help("A classic histogram.")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(Labels.of("path", "/"))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, new long[] {5, 3, 0, 0, 1})).sum(-0.0).build())
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(Labels.of("path", "/big"))
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, new long[] {Long.MAX_VALUE / 2, 0, 0, 0, 1_000_000_007}))
                        .sum(1e300).build())
                .build());
        all.add(SummarySnapshot.builder().name("rich_gc_seconds").help("A summary.").unit(Unit.SECONDS)
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "young")).count(12).sum(0.25).build())
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "old"))
                        .quantiles(Quantiles.of(new Quantile(0.5, 0.01), new Quantile(0.99, Double.NaN))).count(2).sum(0.5).build())
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of("gc", "none")).build())
                .build());
        all.add(SummarySnapshot.builder().name("rich_empty_summary").help("Points with nothing: no metadata either.")
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().build()).build());
        all.add(UnknownSnapshot.builder().name("rich_unknown").help("An unknown family.")
                .dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder().labels(Labels.of("a", "b")).value(-7.25).build()).build());
        return new MetricSnapshots(all);
    }

    /** Families that ExpositionWriter hands to client_java's writer, between plain ones. */
    static MetricSnapshots foreign() {
        List<MetricSnapshot> all = new ArrayList<>();
        all.add(GaugeSnapshot.builder().name("a_plain").help("plain before").dataPoint(g(1)).build());
        all.add(CounterSnapshot.builder().name("b_given_with_total").help("a name given with its _total").dataPoint(c(2)).build());
        all.add(CounterSnapshot.builder().name("c_exemplar").help("an exemplar")
                .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3)
                        .exemplar(Exemplar.builder().value(1.5).traceId("abc").spanId("def").timestampMillis(1_700_000_000_000L).build()).build())
                .build());
        all.add(GaugeSnapshot.builder().name("d.dotted.name").help("a name that is not legacy-valid").dataPoint(g(4, "la.bel", "x")).build());
        all.add(GaugeSnapshot.builder().name("e_plain").help("plain between").dataPoint(g(5)).build());
        all.add(GaugeSnapshot.builder().name("f_timestamped").help("a scrape timestamp")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(6).scrapeTimestampMillis(1_700_000_000_456L).build()).build());
        all.add(HistogramSnapshot.builder().name("g_native").help("a native histogram only")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().nativeSchema(3).nativeZeroCount(1)
                        .nativeBucketsForPositiveValues(NativeHistogramBuckets.of(new int[] {1, 2}, new long[] {3, 4})).sum(7).build())
                .build());
        all.add(HistogramSnapshot.builder().name("h_bucket_exemplars").help("bucket exemplars")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(new double[] {1, Double.POSITIVE_INFINITY}, new long[] {1, 1}))
                        .exemplars(Exemplars.of(Exemplar.builder().value(0.5).build())).sum(2).build())
                .build());
        all.add(InfoSnapshot.builder().name("i_given_info").help("a name given with its _info")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("k", "v")).build()).build());
        all.add(GaugeSnapshot.builder().name("z_plain").help("plain after").dataPoint(g(9)).build());
        return new MetricSnapshots(all);
    }

    private static List<String> plainNames(ExpositionWriter.Format format, MetricSnapshots s) {
        ExpositionWriter w = new ExpositionWriter(format, null);
        return s.stream().filter(w::plain).map(m -> m.getMetadata().getName()).toList();
    }

    @Test
    void everyTypeAndEveryEscapeIsWrittenAsClientJavaWritesIt() throws Exception {
        // written here, not handed back: every family of the rich input
        List<String> all = rich().stream().map(m -> m.getMetadata().getName()).toList();
        assertThat(plainNames(ExpositionWriter.Format.TEXT, rich())).isEqualTo(all);
        assertThat(plainNames(ExpositionWriter.Format.OPENMETRICS, rich())).isEqualTo(all);
        assertSameAsClientJava(rich());
    }

    @Test
    void familiesItDoesNotWriteAsTheyAreAreClientJavasInTheirPlace() throws Exception {
        assertThat(plainNames(ExpositionWriter.Format.OPENMETRICS, foreign())).containsExactly("a_plain", "e_plain", "z_plain");
        // the text format drops exemplars, so those are written here
        assertThat(plainNames(ExpositionWriter.Format.TEXT, foreign()))
                .containsExactly("a_plain", "c_exemplar", "e_plain", "h_bucket_exemplars", "z_plain");
        assertSameAsClientJava(foreign());
        List<MetricSnapshot> both = new ArrayList<>();
        rich().forEach(both::add);
        foreign().forEach(both::add);
        assertSameAsClientJava(new MetricSnapshots(both));
    }

    @Test
    void nothingIsNothing() throws Exception {
        assertSameAsClientJava(new MetricSnapshots(List.of()));
    }

    @Test
    void theJvmAndProcessMetricsAsClientJavaMakesThem() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        ExporterMetrics.register(registry);
        MetricSnapshots once = registry.scrape();
        assertThat(once.size()).isGreaterThan(10);
        assertSameAsClientJava(once);
    }

    @Test
    void dotsEscapingIsClientJavasAlone() {
        assertThat(ExpositionWriter.writesAsIs(EscapingScheme.DOTS_ESCAPING)).isFalse();
        assertThatThrownBy(() -> ours(ExpositionWriter.Format.TEXT, PrometheusTextFormatWriter.create(), rich(), EscapingScheme.DOTS_ESCAPING))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Provide
    Arbitrary<String> text() {
        // every kind of char: ASCII with the escaped ones, two- and three-byte UTF-8, surrogates paired and alone
        return Arbitraries.oneOf(Arbitraries.strings().withChars("\"\\\n\tab_ é中\uD83D\uDE00\uD800\uDC00{}=,").ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(40));
    }

    @Property(tries = 300)
    void anyLabelValueAndHelpIsWrittenAsClientJavaWritesIt(@ForAll("text") String value, @ForAll("text") String help,
            @ForAll("text") String other) throws Exception {
        MetricSnapshots s = new MetricSnapshots(
                GaugeSnapshot.builder().name("p_gauge").help(help).dataPoint(g(1, "v", value, "w", other)).build(),
                CounterSnapshot.builder().name("p_counter").help(help).dataPoint(c(2, "v", value)).build(),
                InfoSnapshot.builder().name("p_info").help(help)
                        .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("v", value)).build()).build(),
                StateSetSnapshot.builder().name("p_state").help(help)
                        .dataPoint(StateSetSnapshot.StateSetDataPointSnapshot.builder().labels(Labels.of("v", other))
                                .state(value.isEmpty() ? "x" : value, true).state(value + "_other", false).build())
                        .build());
        assertSameAsClientJava(s);
    }

    @Provide
    Arbitrary<Double> values() {
        // whole numbers around the 10^7 where Double.toString turns to exponents, and any double
        return Arbitraries.oneOf(Arbitraries.longs().between(-20_000_000, 20_000_000).map(l -> (double) l),
                Arbitraries.doubles(), Arbitraries.of(-0.0, Double.NaN, Double.MIN_VALUE, 1e7, -1e7, 9_999_999.0));
    }

    @Property(tries = 500)
    void anyValueIsWrittenAsClientJavaWritesIt(@ForAll("values") double value, @ForAll long count) throws Exception {
        MetricSnapshots s = new MetricSnapshots(GaugeSnapshot.builder().name("p_value").help("v").dataPoint(g(value)).build(),
                SummarySnapshot.builder().name("p_summary").help("s")
                        .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().count(count).sum(value).build()).build());
        assertSameAsClientJava(s);
    }

    /** One writer, many scrapes: the header lines it keeps per metadata are right the second time, and for another kind of family. */
    @Test
    void keptHeadersAreTheSameBytesScrapeAfterScrape() throws Exception {
        for (ExpositionWriter.Format format : ExpositionWriter.Format.values()) {
            ExpositionFormatWriter client = format == ExpositionWriter.Format.TEXT ? PrometheusTextFormatWriter.create()
                    : OpenMetricsTextFormatWriter.create();
            ExpositionWriter writer = new ExpositionWriter(format, client);
            io.prometheus.metrics.model.snapshots.MetricMetadata shared = new io.prometheus.metrics.model.snapshots.MetricMetadata(
                    "kept_shared", "One metadata, \"two\" kinds.");
            MetricSnapshots asGauge = new MetricSnapshots(new GaugeSnapshot(shared, List.of(g(1))));
            MetricSnapshots asCounter = new MetricSnapshots(new CounterSnapshot(shared, List.of(c(2))));
            MetricSnapshots same = rich();
            for (MetricSnapshots s : List.of(same, same, asGauge, asCounter, asGauge, same, rich())) {
                ExpositionWriter.Body body = new ExpositionWriter.Body(16);
                writer.write(body, s, EscapingScheme.UNDERSCORE_ESCAPING);
                assertThat(new String(body.toByteArray(), StandardCharsets.UTF_8)).as(format.toString())
                        .isEqualTo(new String(clientJava(client, s, EscapingScheme.UNDERSCORE_ESCAPING), StandardCharsets.UTF_8));
            }
        }
    }
    /**
     * One writer, the scrapes the exporter makes: the same snapshot again (copied whole from its third
     * time), new values on the same Labels objects (their kept bytes before each value), a point added,
     * one left out, an equal but new Labels, another kind on the same metadata: each the bytes
     * client_java writes for it then.
     */
    @Test
    void keptFamiliesAreWrittenAsTheyAreNow() throws Exception {
        io.prometheus.metrics.model.snapshots.MetricMetadata meta = new io.prometheus.metrics.model.snapshots.MetricMetadata(
                "kept_series", "Series kept \"as bytes\".");
        Labels a = Labels.of("dst_ip", "10.0.0.1", "value", ODD);
        Labels b = Labels.of("dst_ip", "10.0.0.2", "value", "b");
        Labels c = Labels.of("dst_ip", "10.0.0.3", "value", "c");
        GaugeSnapshot first = new GaugeSnapshot(meta, List.of(point(1, a), point(2, c)));
        List<MetricSnapshot> scrapes = List.of(first, first, first, first,
                new GaugeSnapshot(meta, List.of(point(5, a), point(2, c))),
                new GaugeSnapshot(meta, List.of(point(5, a), point(3, b), point(2, c))),
                new GaugeSnapshot(meta, List.of(point(5, a), point(3, b), point(2, c))),
                new GaugeSnapshot(meta, List.of(point(3, b), point(2, c))),
                new GaugeSnapshot(meta, List.of(point(3, b), point(7, Labels.of("dst_ip", "10.0.0.3", "value", "other")))),
                new CounterSnapshot(meta, List.of(CounterSnapshot.CounterDataPointSnapshot.builder().labels(b).value(9).build())),
                first, first, first);
        MetricSnapshots same = rich();
        for (ExpositionWriter.Format format : ExpositionWriter.Format.values()) {
            ExpositionFormatWriter client = format == ExpositionWriter.Format.TEXT ? PrometheusTextFormatWriter.create()
                    : OpenMetricsTextFormatWriter.create();
            ExpositionWriter writer = new ExpositionWriter(format, client);
            List<MetricSnapshots> all = new ArrayList<>();
            scrapes.forEach(s -> all.add(new MetricSnapshots(s)));
            all.addAll(List.of(same, same, same, same));
            for (MetricSnapshots s : all) {
                ExpositionWriter.Body body = new ExpositionWriter.Body(16);
                writer.write(body, s, EscapingScheme.UNDERSCORE_ESCAPING);
                assertThat(new String(body.toByteArray(), StandardCharsets.UTF_8)).as(format.toString())
                        .isEqualTo(new String(clientJava(client, s, EscapingScheme.UNDERSCORE_ESCAPING), StandardCharsets.UTF_8));
            }
        }
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(double v, Labels labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(v).build();
    }
}

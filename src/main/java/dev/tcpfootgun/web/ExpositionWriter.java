package dev.tcpfootgun.web;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The text format (0.0.4) and OpenMetrics 1.0.0 written as client_java 1.10's writers write them,
 * byte for byte, but as bytes straight into the body: theirs go a char at a time through a
 * BufferedWriter and a UTF-8 encoder (18 % of a 1k scrape's CPU). A family this does not know as
 * plain (a name that needs escaping or quoting, exemplars, timestamps, an empty histogram) is
 * written by client_java's own writer, in its place. ExpositionWriterTest holds the two to the same bytes.
 */
final class ExpositionWriter {

    enum Format { TEXT, OPENMETRICS }

    private static final byte[] EOF = bytes("# EOF\n");
    private static final Set<String> RESERVED = Set.of("_total", "_info", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum");

    /** Metadata whose header lines are kept: the exporter's families are a few hundred, JVM metadata made per scrape churns through. */
    private static final int KEPT_HEADS = 2048;

    /**
     * What a family of one metadata was last written as: its header lines, the bytes before each
     * series' value (name, labels, space) by the series' Labels, and its last snapshot with, once
     * that snapshot came twice, all its bytes. The exporter keeps its metadata, Labels and unchanged
     * snapshots from scrape to scrape, so most of a scrape is copied, not encoded (names checked,
     * label values escaped) again.
     *
     * @param kind the OpenMetrics type of the family, a literal compared by identity: it tells every kind apart
     * @param labels null unless a counter, gauge or unknown family; then its points' Labels in order
     * @param whole null until {@code snapshot} was written twice
     */
    private record Kept(String kind, byte[] head, Labels[] labels, byte[][] prefixes, MetricSnapshot snapshot, byte[] whole) {}

    /** MetricMetadata compares by identity: a family's kept metadata finds what was kept of it. */
    private final java.util.Map<MetricMetadata, Kept> heads = new java.util.concurrent.ConcurrentHashMap<>();
    private final Format format;
    /** client_java's writer for the same format: for the families written as client_java alone knows how. */
    private final ExpositionFormatWriter fallback;

    ExpositionWriter(Format format, ExpositionFormatWriter fallback) {
        this.format = format;
        this.fallback = fallback;
    }

    /** The escaping schemes under which a plain (legacy-valid) name is written as it is; dots escaping doubles underscores. */
    static boolean writesAsIs(EscapingScheme scheme) {
        return scheme == EscapingScheme.ALLOW_UTF8 || scheme == EscapingScheme.UNDERSCORE_ESCAPING
                || scheme == EscapingScheme.VALUE_ENCODING_ESCAPING;
    }

    /** Writes {@code snapshots} under {@code scheme}, which {@link #writesAsIs} must accept. */
    void write(Body out, MetricSnapshots snapshots, EscapingScheme scheme) throws IOException {
        if (!writesAsIs(scheme)) {
            throw new IllegalArgumentException("escaping " + scheme + " renames plain names: client_java's writer's job");
        }
        if (format == Format.OPENMETRICS && hasDuplicateNames(snapshots)) {
            // OpenMetrics merges families of one name first: that is client_java's, whole
            fallback.write(out, snapshots, scheme);
            return;
        }
        List<MetricSnapshot> foreign = new ArrayList<>();
        for (MetricSnapshot s : snapshots) {
            if (s.getDataPoints().isEmpty()) {
                continue;
            }
            MetricMetadata m = s.getMetadata();
            Kept k = heads.get(m);
            if (k != null && k.snapshot == s && k.whole != null) {
                // the same immutable snapshot as before: the same bytes
                flush(out, foreign, scheme);
                out.write(k.whole);
                continue;
            }
            // a kept metadata was written as plain: its name needs no checking again
            if (!plain(s, k == null)) {
                foreign.add(s);
                continue;
            }
            flush(out, foreign, scheme);
            int start = out.size();
            Kept next = switch (s) {
                case CounterSnapshot c -> values(out, c, k, "_total", "counter", "counter");
                case GaugeSnapshot g -> values(out, g, k, null, "gauge", "gauge");
                case HistogramSnapshot h -> histogram(out, h, k);
                case SummarySnapshot su -> summary(out, su, k);
                case InfoSnapshot i -> info(out, i, k);
                case StateSetSnapshot st -> stateSet(out, st, k);
                case UnknownSnapshot u -> values(out, u, k, null, "untyped", "unknown");
                default -> throw new IllegalStateException("not plain: " + s.getClass());
            };
            if (k != null && k.snapshot == s && next.kind == k.kind) {
                // the second time this snapshot is written: from the third on it is copied whole
                next = new Kept(next.kind, next.head, next.labels, next.prefixes, s, out.copyFrom(start));
            }
            keep(m, next);
        }
        flush(out, foreign, scheme);
        if (format == Format.OPENMETRICS) {
            out.write(EOF);
        }
    }

    /** The families waiting for client_java's writer, written there in their place (OpenMetrics's # EOF cut off: it ends the whole body). */
    private void flush(Body out, List<MetricSnapshot> foreign, EscapingScheme scheme) throws IOException {
        if (foreign.isEmpty()) {
            return;
        }
        fallback.write(out, new MetricSnapshots(foreign), scheme);
        if (format == Format.OPENMETRICS) {
            out.cutSuffix(EOF);
        }
        foreign.clear();
    }

    private static boolean hasDuplicateNames(MetricSnapshots snapshots) {
        Set<String> seen = new HashSet<>();
        for (MetricSnapshot s : snapshots) {
            if (!seen.add(s.getMetadata().getPrometheusName())) {
                return true;
            }
        }
        return false;
    }

    /** A family whose output this writes as client_java would: legacy names used as they are, nothing but values to write. */
    boolean plain(MetricSnapshot s) {
        return plain(s, true);
    }

    /** @param checkName false for a metadata already written as plain: its name is (metadata is immutable) */
    private boolean plain(MetricSnapshot s, boolean checkName) {
        if (checkName && !plainName(s.getMetadata())) {
            return false;
        }
        if (!(s instanceof CounterSnapshot || s instanceof GaugeSnapshot || s instanceof HistogramSnapshot
                || s instanceof SummarySnapshot || s instanceof InfoSnapshot || s instanceof StateSetSnapshot
                || s instanceof UnknownSnapshot)) {
            return false;
        }
        // a family's points share their label names, usually the same String objects: each checked once
        String[] checked = new String[0];
        for (DataPointSnapshot d : s.getDataPoints()) {
            if (d.hasScrapeTimestamp()) {
                return false;
            }
            Labels labels = d.getLabels();
            if (!sameNames(labels, checked)) {
                if (!plainLabels(labels)) {
                    return false;
                }
                checked = new String[labels.size()];
                for (int i = 0; i < checked.length; i++) {
                    checked[i] = labels.getName(i);
                }
            }
            if (format == Format.OPENMETRICS) {
                if (d instanceof CounterSnapshot.CounterDataPointSnapshot c && c.getExemplar() != null) {
                    return false;
                }
                if (d instanceof HistogramSnapshot.HistogramDataPointSnapshot h && h.getExemplars().size() > 0) {
                    return false;
                }
            }
            if (d instanceof HistogramSnapshot.HistogramDataPointSnapshot h && h.getClassicBuckets().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static boolean plainName(MetricMetadata m) {
        String name = m.getName();
        if (!PrometheusNaming.isValidLegacyMetricName(name) || !name.equals(m.getPrometheusName()) || !name.equals(m.getExpositionBaseName())
                || !name.equals(m.getExpositionBasePrometheusName()) || !name.equals(m.getOriginalName())) {
            return false;
        }
        for (String suffix : RESERVED) {
            if (name.endsWith(suffix)) {
                return false;
            }
        }
        return true;
    }

    private void keep(MetricMetadata m, Kept k) {
        if (heads.size() >= KEPT_HEADS && !heads.containsKey(m)) {
            heads.clear();
        }
        heads.put(m, k);
    }

    private static boolean sameNames(Labels labels, String[] checked) {
        if (labels.size() != checked.length) {
            return false;
        }
        for (int i = 0; i < checked.length; i++) {
            if (labels.getName(i) != checked[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean plainLabels(Labels labels) {
        for (int i = 0; i < labels.size(); i++) {
            String n = labels.getName(i);
            if (!n.equals(labels.getPrometheusName(i)) || !PrometheusNaming.isValidLegacyLabelName(n)) {
                return false;
            }
        }
        return true;
    }

    // --- the families, as PrometheusTextFormatWriter and OpenMetricsTextFormatWriter write them

    /**
     * A counter, gauge or unknown family: one series a point, its value a double; the bytes before a
     * value are the kept ones when the point has the Labels (the same object) the last family had there.
     */
    private Kept values(Body out, MetricSnapshot s, Kept k, String suffix, String textType, String omType) {
        MetricMetadata m = s.getMetadata();
        String name = m.getName();
        byte[] head = head(out, m, k, suffix, textType, omType);
        Labels[] keptLabels = k != null && k.kind == omType ? k.labels : null;
        List<? extends DataPointSnapshot> points = s.getDataPoints();
        int n = points.size();
        // the kept arrays while every point is as kept; copies from the first that is not
        boolean asKept = keptLabels != null && keptLabels.length == n;
        Labels[] labels = asKept ? keptLabels : new Labels[n];
        byte[][] prefixes = asKept ? k.prefixes : new byte[n][];
        for (int i = 0; i < n; i++) {
            DataPointSnapshot d = points.get(i);
            Labels l = d.getLabels();
            if (keptLabels != null && i < keptLabels.length && keptLabels[i] == l) {
                out.write(k.prefixes[i]);
                if (!asKept) {
                    labels[i] = l;
                    prefixes[i] = k.prefixes[i];
                }
            } else {
                if (asKept) {
                    asKept = false;
                    labels = Arrays.copyOf(keptLabels, n);
                    prefixes = Arrays.copyOf(k.prefixes, n);
                }
                int at = out.size();
                series(out, name, suffix, l, null);
                labels[i] = l;
                prefixes[i] = out.copyFrom(at);
            }
            out.number(switch (d) {
                case CounterSnapshot.CounterDataPointSnapshot c -> c.getValue();
                case GaugeSnapshot.GaugeDataPointSnapshot g -> g.getValue();
                case UnknownSnapshot.UnknownDataPointSnapshot u -> u.getValue();
                default -> throw new IllegalStateException("not a value: " + d.getClass());
            });
            out.write('\n');
        }
        return new Kept(omType, head, labels, prefixes, s, null);
    }

    private Kept info(Body out, InfoSnapshot s, Kept k) {
        MetricMetadata m = s.getMetadata();
        String name = m.getName();
        byte[] head = head(out, m, k, "_info", "gauge", "info");
        for (InfoSnapshot.InfoDataPointSnapshot d : s.getDataPoints()) {
            series(out, name, "_info", d.getLabels(), null);
            out.write('1');
            out.write('\n');
        }
        return new Kept("info", head, null, null, s, null);
    }

    private Kept stateSet(Body out, StateSetSnapshot s, Kept k) {
        MetricMetadata m = s.getMetadata();
        String name = m.getName();
        byte[] head = head(out, m, k, null, "gauge", "stateset");
        for (StateSetSnapshot.StateSetDataPointSnapshot d : s.getDataPoints()) {
            Labels labels = d.getLabels();
            for (int i = 0; i < d.size(); i++) {
                out.ascii(name);
                out.write('{');
                for (int j = 0; j < labels.size(); j++) {
                    if (j > 0) {
                        out.write(',');
                    }
                    label(out, labels.getName(j), labels.getValue(j));
                }
                if (!labels.isEmpty()) {
                    out.write(',');
                }
                label(out, name, d.getName(i));
                out.write('}');
                out.write(' ');
                out.write(d.isTrue(i) ? '1' : '0');
                out.write('\n');
            }
        }
        return new Kept("stateset", head, null, null, s, null);
    }

    private Kept histogram(Body out, HistogramSnapshot s, Kept k) {
        MetricMetadata m = s.getMetadata();
        String name = m.getName();
        boolean gauge = s.isGaugeHistogram();
        String kind = gauge ? "gaugehistogram" : "histogram";
        byte[] head = head(out, m, k, null, "histogram", kind);
        for (HistogramSnapshot.HistogramDataPointSnapshot d : s.getDataPoints()) {
            ClassicHistogramBuckets buckets = d.getClassicBuckets();
            long cumulative = 0;
            for (int i = 0; i < buckets.size(); i++) {
                cumulative += buckets.getCount(i);
                series(out, name, "_bucket", d.getLabels(), "le");
                out.number(buckets.getUpperBound(i));
                out.write('"');
                out.write('}');
                out.write(' ');
                out.number(cumulative);
                out.write('\n');
            }
            if (format == Format.OPENMETRICS) {
                // OpenMetrics has a histogram's count and sum both or neither
                if (d.hasCount() && d.hasSum()) {
                    countAndSum(out, name, gauge ? "_gcount" : "_count", gauge ? "_gsum" : "_sum", d);
                }
            } else if (!gauge) {
                countAndSum(out, name, "_count", "_sum", d);
            }
        }
        if (format == Format.TEXT && gauge) {
            // the text format has no gauge histogram: its _gcount and _gsum are gauges of their own
            textGaugeOf(out, name, "_gcount", m.getHelp(), s.getDataPoints(), true);
            textGaugeOf(out, name, "_gsum", m.getHelp(), s.getDataPoints(), false);
        }
        return new Kept(kind, head, null, null, s, null);
    }

    /** A gauge histogram's counts (or sums) as a text-format gauge family, its header before the first one there is. */
    private static void textGaugeOf(Body out, String name, String suffix, String help,
            List<HistogramSnapshot.HistogramDataPointSnapshot> points, boolean counts) {
        boolean written = false;
        for (HistogramSnapshot.HistogramDataPointSnapshot d : points) {
            if (counts ? d.hasCount() : d.hasSum()) {
                if (!written) {
                    textMetadata(out, name, suffix, "gauge", help);
                    written = true;
                }
                series(out, name, suffix, d.getLabels(), null);
                if (counts) {
                    out.number(d.getCount());
                } else {
                    out.number(d.getSum());
                }
                out.write('\n');
            }
        }
    }

    private Kept summary(Body out, SummarySnapshot s, Kept k) {
        MetricMetadata m = s.getMetadata();
        String name = m.getName();
        byte[] head = null;
        for (SummarySnapshot.SummaryDataPointSnapshot d : s.getDataPoints()) {
            if (d.getQuantiles().size() == 0 && !d.hasCount() && !d.hasSum()) {
                continue;
            }
            if (head == null) {
                head = head(out, m, k, null, "summary", "summary");
            }
            for (Quantile q : d.getQuantiles()) {
                series(out, name, null, d.getLabels(), "quantile");
                out.number(q.getQuantile());
                out.write('"');
                out.write('}');
                out.write(' ');
                out.number(q.getValue());
                out.write('\n');
            }
            countAndSum(out, name, "_count", "_sum", d);
        }
        // null head: a summary of only empty points writes nothing, not even its header
        return new Kept("summary", head, null, null, s, null);
    }

    private void countAndSum(Body out, String name, String count, String sum, io.prometheus.metrics.model.snapshots.DistributionDataPointSnapshot d) {
        if (d.hasCount()) {
            series(out, name, count, d.getLabels(), null);
            out.number(d.getCount());
            out.write('\n');
        }
        if (d.hasSum()) {
            series(out, name, sum, d.getLabels(), null);
            out.number(d.getSum());
            out.write('\n');
        }
    }

    // --- metadata and series

    /**
     * A family's # HELP and # TYPE lines (and OpenMetrics's # UNIT), kept as bytes by its metadata:
     * the exporter's families keep theirs from scrape to scrape, so these are encoded once.
     */
    private byte[] head(Body out, MetricMetadata m, Kept k, String textSuffix, String textType, String omType) {
        byte[] head;
        if (k != null && k.kind == omType && k.head != null) {
            head = k.head;
        } else {
            Body b = new Body(128);
            if (format == Format.TEXT) {
                textMetadata(b, m.getName(), textSuffix, textType, m.getHelp());
            } else {
                omMetadata(b, m.getName(), omType, m);
            }
            head = b.toByteArray();
        }
        out.write(head);
        return head;
    }

    /** # HELP (when there is one, with backslash and newline escaped) then # TYPE, of the name with its suffix. */
    private static void textMetadata(Body out, String name, String suffix, String type, String help) {
        if (help != null && !help.isEmpty()) {
            out.ascii("# HELP ");
            out.ascii(name);
            if (suffix != null) {
                out.ascii(suffix);
            }
            out.write(' ');
            out.escaped(help, false);
            out.write('\n');
        }
        out.ascii("# TYPE ");
        out.ascii(name);
        if (suffix != null) {
            out.ascii(suffix);
        }
        out.write(' ');
        out.ascii(type);
        out.write('\n');
    }

    /** # TYPE, # UNIT when there is one, # HELP when there is one (quotes escaped too), of the family's base name. */
    private static void omMetadata(Body out, String name, String type, MetricMetadata m) {
        out.ascii("# TYPE ");
        out.ascii(name);
        out.write(' ');
        out.ascii(type);
        out.write('\n');
        if (m.getUnit() != null) {
            out.ascii("# UNIT ");
            out.ascii(name);
            out.write(' ');
            out.escaped(m.getUnit().toString(), true);
            out.write('\n');
        }
        String help = m.getHelp();
        if (help != null && !help.isEmpty()) {
            out.ascii("# HELP ");
            out.ascii(name);
            out.write(' ');
            out.escaped(help, true);
            out.write('\n');
        }
    }

    /**
     * The series' name and labels and the space before its value; with {@code extra} (le, quantile) the
     * braces are left open after {@code extra="} for the caller's value.
     */
    private static void series(Body out, String name, String suffix, Labels labels, String extra) {
        out.ascii(name);
        if (suffix != null) {
            out.ascii(suffix);
        }
        if (labels.isEmpty() && extra == null) {
            out.write(' ');
            return;
        }
        out.write('{');
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            label(out, labels.getName(i), labels.getValue(i));
        }
        if (extra != null) {
            if (!labels.isEmpty()) {
                out.write(',');
            }
            out.ascii(extra);
            out.write('=');
            out.write('"');
            return;
        }
        out.write('}');
        out.write(' ');
    }

    private static void label(Body out, String name, String value) {
        out.ascii(name);
        out.write('=');
        out.write('"');
        out.escaped(value, true);
        out.write('"');
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * A response body in memory, grown by doubling; client_java's writers write into it as an
     * OutputStream when a family is theirs.
     */
    static final class Body extends OutputStream {
        private byte[] buf;
        private int size;

        Body(int capacity) {
            buf = new byte[Math.max(capacity, 64)];
        }

        int size() {
            return size;
        }

        void reset() {
            size = 0;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }

        /** The bytes written since {@code from}. */
        byte[] copyFrom(int from) {
            return Arrays.copyOfRange(buf, from, size);
        }

        /** Writes the body to {@code out} from its own buffer. */
        void writeTo(OutputStream out) throws IOException {
            out.write(buf, 0, size);
        }

        private void room(int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        @Override
        public void write(int b) {
            room(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            room(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        @Override
        public void write(byte[] b) {
            write(b, 0, b.length);
        }

        void cutSuffix(byte[] suffix) {
            if (size < suffix.length || !Arrays.equals(buf, size - suffix.length, size, suffix, 0, suffix.length)) {
                throw new IllegalStateException("client_java's OpenMetrics did not end in # EOF");
            }
            size -= suffix.length;
        }

        /** A name or keyword: ASCII by construction (legacy-valid names). */
        @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): a bulk copy of chars known to be ASCII
        void ascii(String s) {
            int n = s.length();
            room(n);
            s.getBytes(0, n, buf, size);
            size += n;
        }

        /**
         * {@code s} in UTF-8 with backslash and newline escaped, and double quotes too when
         * {@code quotes} (label values, OpenMetrics help); a lone surrogate is '?', as the JDK's
         * encoder behind client_java's OutputStreamWriter makes it.
         */
        @SuppressWarnings("deprecation") // the plain ASCII prefix, usually the whole string, in one copy
        void escaped(String s, boolean quotes) {
            int n = s.length();
            int plain = 0;
            while (plain < n) {
                char c = s.charAt(plain);
                if (c >= 0x80 || c == '\\' || c == '\n' || c == '"' && quotes) {
                    break;
                }
                plain++;
            }
            room(n);
            s.getBytes(0, plain, buf, size);
            size += plain;
            for (int i = plain; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (c == '\\') {
                        write2('\\', '\\');
                    } else if (c == '\n') {
                        write2('\\', 'n');
                    } else if (c == '"' && quotes) {
                        write2('\\', '"');
                    } else {
                        room(1);
                        buf[size++] = (byte) c;
                    }
                } else if (c < 0x800) {
                    room(2);
                    buf[size++] = (byte) (0xC0 | c >> 6);
                    buf[size++] = (byte) (0x80 | c & 0x3F);
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        room(4);
                        buf[size++] = (byte) (0xF0 | cp >> 18);
                        buf[size++] = (byte) (0x80 | cp >> 12 & 0x3F);
                        buf[size++] = (byte) (0x80 | cp >> 6 & 0x3F);
                        buf[size++] = (byte) (0x80 | cp & 0x3F);
                    } else {
                        room(1);
                        buf[size++] = '?';
                    }
                } else {
                    room(3);
                    buf[size++] = (byte) (0xE0 | c >> 12);
                    buf[size++] = (byte) (0x80 | c >> 6 & 0x3F);
                    buf[size++] = (byte) (0x80 | c & 0x3F);
                }
            }
        }

        private void write2(char a, char b) {
            room(2);
            buf[size++] = (byte) a;
            buf[size++] = (byte) b;
        }

        /** As client_java writes a double: +Inf, -Inf, else Double.toString (NaN, -0.0, 1.0E-7, 42.0). */
        void number(double d) {
            if (d == Double.POSITIVE_INFINITY) {
                ascii("+Inf");
            } else if (d == Double.NEGATIVE_INFINITY) {
                ascii("-Inf");
            } else if (d == (long) d && Math.abs(d) < 1e7 && (d != 0 || 1 / d > 0)) {
                // a whole number below 10^7 (not -0.0), as Double.toString writes it: digits and ".0"
                number((long) d);
                write2('.', '0');
            } else {
                ascii(Double.toString(d));
            }
        }

        /** As Long.toString, without the String. */
        void number(long v) {
            if (v == Long.MIN_VALUE) {
                ascii(Long.toString(v));
                return;
            }
            room(20);
            if (v < 0) {
                buf[size++] = '-';
                v = -v;
            }
            int digits = 1;
            for (long x = v; x >= 10; x /= 10) {
                digits++;
            }
            for (int i = size + digits - 1; i >= size; i--) {
                buf[i] = (byte) ('0' + v % 10);
                v /= 10;
            }
            size += digits;
        }
    }
}

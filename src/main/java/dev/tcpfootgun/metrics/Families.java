package dev.tcpfootgun.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Collects metric families for one scrape. Names are given without {@code _total}; the unit is
 * taken from the name's suffix so OpenMetrics gets its UNIT line.
 *
 * <p>Families named from kernel text (a conntrack column, a sockstat protocol) are kept apart, per
 * source, until {@link #resolve()}: a name that is not a plain metric name, that another family of
 * the scrape also has, or more such families than {@link #MAX_KERNEL_NAMED} fail that source (all
 * its families left out) instead of making an exposition the registry refuses with a 500. A data
 * point whose label value is longer than {@link #MAX_LABEL_VALUE} is left out, and said so.
 */
final class Families {

    /**
     * The most families one source may render from kernel text: on Linux 6.18 sockstat renders 19,
     * conntrack 22 (its 16 statistics and 6 of its own); a file that names hundreds is not the kernel's.
     */
    static final int MAX_KERNEL_NAMED = 256;

    /**
     * The longest label value shown. The kernel's text values are far shorter (an interface name
     * 15 characters, tcp_available_congestion_control at most 2048); a longer one is not shown.
     */
    static final int MAX_LABEL_VALUE = 4096;

    /** The suffixes Prometheus reserves for its own series, which a plain name must not end in. */
    private static final List<String> RESERVED_SUFFIXES = List.of("_total", "_created", "_bucket", "_count", "_sum", "_info",
            "_gcount", "_gsum");

    /**
     * What the scrapes before made and this one makes again: client_java validates every Labels and
     * MetricMetadata it builds (a UTF-8 encoder made per label name), 5 % of a 1k scrape; both are
     * immutable, so each distinct one is built once. Shared by concurrent scrapes; emptied when past
     * {@link #KEPT} (a scrape has about 600 series at any scale, its families capped), which only
     * destinations churning faster than scrapes ever reach: at most about 1 MiB of heap kept.
     */
    private static final Map<LabelKey, Labels> LABELS = new ConcurrentHashMap<>();
    private static final Map<String, MetadataKept> METADATA = new ConcurrentHashMap<>();
    static final int KEPT = 4_096;

    /** Label names and values as given, compared by content. */
    private record LabelKey(String[] pairs) {
        @Override
        public boolean equals(Object o) {
            return o instanceof LabelKey k && Arrays.equals(pairs, k.pairs);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pairs);
        }

        @Override
        public String toString() {
            return Arrays.toString(pairs);
        }
    }

    /**
     * A family's metadata as last built, by name: reused while kind, help and unit are the same
     * (compared by hand: a record key's hashCode goes through method handles, slow without C2).
     */
    private record MetadataKept(Class<?> kind, String help, Unit unit, MetricMetadata metadata) {
        boolean fits(Class<?> k, String h, Unit u) {
            return kind == k && java.util.Objects.equals(help, h) && java.util.Objects.equals(unit, u);
        }
    }

    /** Labels.of(pairs), each distinct one built (and validated) once. */
    static Labels labels(String... pairs) {
        if (pairs.length == 0) {
            return Labels.EMPTY;
        }
        LabelKey key = new LabelKey(pairs);
        Labels l = LABELS.get(key);
        if (l == null) {
            l = Labels.of(pairs);
            if (LABELS.size() >= KEPT) {
                LABELS.clear();
            }
            LABELS.put(new LabelKey(pairs.clone()), l);
        }
        return l;
    }

    static int labelsKept() {
        return LABELS.size();
    }

    /** The metadata {@code build} gives a family of no data points, each distinct one built (and validated) once. */
    private static MetricMetadata metadata(Class<?> kind, String name, String help, Unit unit,
            java.util.function.Supplier<MetricSnapshot> build) {
        MetadataKept kept = METADATA.get(name);
        if (kept != null && kept.fits(kind, help, unit)) {
            return kept.metadata();
        }
        MetricMetadata m = build.get().getMetadata();
        if (METADATA.size() >= KEPT) {
            METADATA.clear();
        }
        METADATA.put(name, new MetadataKept(kind, help, unit, m));
        return m;
    }

    private final List<MetricSnapshot> out = new ArrayList<>();
    private final Map<String, Families> kernelNamed = new LinkedHashMap<>();
    private final List<String> invalidNames = new ArrayList<>();
    private final List<String> leftOut = new ArrayList<>();
    /** Whether this holds one source's kernel-named families, whose names are checked. */
    private final boolean kernelSection;

    Families() {
        this(false);
    }

    private Families(boolean kernelSection) {
        this.kernelSection = kernelSection;
    }

    /**
     * The families of one scrape, with what was refused.
     *
     * @param refused per source, why the families it named from kernel text were left out (it counts as failed)
     * @param leftOut data points left out for an overlong label value, one line each
     */
    record Resolved(List<MetricSnapshot> snapshots, Map<String, String> refused, List<String> leftOut) {}

    void add(MetricSnapshot snapshot) {
        out.add(snapshot);
    }

    /**
     * Renders, through {@code body}, families whose names come from {@code collector}'s kernel text;
     * they join the scrape in {@link #resolve()} only if every name is valid and unique.
     */
    void fromKernelText(String collector, Consumer<Families> body) {
        Families section = new Families(true);
        body.accept(section);
        Families before = kernelNamed.put(collector, section);
        if (before != null) {
            section.out.addAll(0, before.out);
            section.invalidNames.addAll(0, before.invalidNames);
        }
        leftOut.addAll(section.leftOut);
    }

    /**
     * What a part of the renderer made last, from which input: a part whose input equals the last one
     * (sysctls, sockstat, interfaces, most scrapes) adds the same immutable families again instead of
     * rendering them. One per part of the renderer, shared by concurrent scrapes.
     */
    static final class Memo<T> {
        private record Made<T>(T input, List<MetricSnapshot> out, List<String> invalidNames, List<String> leftOut) {}

        /** Whether two inputs make the same families: by hand, as a record's equals goes through method handles, slow under C1. */
        private final java.util.function.BiPredicate<T, T> same;
        private volatile Made<T> last;

        Memo(java.util.function.BiPredicate<T, T> same) {
            this.same = same;
        }
    }

    /** Renders {@code body} into this, or adds what it made last when {@code input} makes the same as that scrape's (a value, never mutated). */
    <T> void memo(Memo<T> memo, T input, Consumer<Families> body) {
        Memo.Made<T> last = memo.last;
        if (last != null && memo.same.test(last.input(), input)) {
            out.addAll(last.out());
            invalidNames.addAll(last.invalidNames());
            leftOut.addAll(last.leftOut());
            return;
        }
        int o = out.size();
        int i = invalidNames.size();
        int l = leftOut.size();
        body.accept(this);
        memo.last = new Memo.Made<>(input, List.copyOf(out.subList(o, out.size())), List.copyOf(invalidNames.subList(i, invalidNames.size())),
                List.copyOf(leftOut.subList(l, leftOut.size())));
    }

    /** The scrape's families: the kernel-named ones that pass, the rest refused with their reason. */
    Resolved resolve() {
        Map<String, String> refused = new LinkedHashMap<>();
        // a fixed family named twice is a bug here, not the kernel's: keep the first, never answer 500
        Map<String, MetricSnapshot> unique = new LinkedHashMap<>(out.size() * 2);
        // the help of the last fixed family of a name, for a kernel name's refusal; only names given twice are here
        Map<String, String> lastHelp = new HashMap<>();
        for (MetricSnapshot m : out) {
            if (!keepFirst(unique, m)) {
                lastHelp.put(m.getMetadata().getPrometheusName(), m.getMetadata().getHelp());
            }
        }
        Map<String, String> claimed = new HashMap<>();
        kernelNamed.forEach((collector, section) -> {
            for (MetricSnapshot m : section.out) {
                claimed.merge(m.getMetadata().getPrometheusName(), collector, (a, b) -> a.equals(b) ? a : a + "," + b);
            }
        });
        kernelNamed.forEach((collector, section) -> {
            String reason = section.refusal(unique, lastHelp, claimed);
            if (reason == null) {
                for (MetricSnapshot m : section.out) {
                    keepFirst(unique, m);
                }
            } else {
                refused.put(collector, reason);
            }
        });
        return new Resolved(List.copyOf(unique.values()), refused, List.copyOf(leftOut));
    }

    /** Adds {@code m} to {@code unique} unless a family of its name is there: then it is left out, and said so; false. */
    private boolean keepFirst(Map<String, MetricSnapshot> unique, MetricSnapshot m) {
        String name = m.getMetadata().getPrometheusName();
        if (unique.putIfAbsent(name, m) == null) {
            return true;
        }
        leftOut.add("metric family " + name + " rendered twice: the second left out");
        return false;
    }

    /** Why this section of kernel-named families cannot be shown, or null when it can. */
    private String refusal(Map<String, MetricSnapshot> fixed, Map<String, String> fixedLastHelp, Map<String, String> claimedBy) {
        if (!invalidNames.isEmpty()) {
            return invalidNames.getFirst();
        }
        if (out.size() > MAX_KERNEL_NAMED) {
            return out.size() + " metric families named from kernel text, more than the " + MAX_KERNEL_NAMED + " any kernel gives";
        }
        Map<String, String> seen = new HashMap<>();
        for (MetricSnapshot m : out) {
            String name = m.getMetadata().getPrometheusName();
            String help = m.getMetadata().getHelp();
            MetricSnapshot f = fixed.get(name);
            String other = f == null ? seen.put(name, help)
                    : fixedLastHelp.containsKey(name) ? fixedLastHelp.get(name) : f.getMetadata().getHelp();
            if (other != null) {
                return "metric name " + name + " would be given twice, for \"" + other + "\" and for \"" + help + "\"";
            }
            if (claimedBy.get(name).contains(",")) {
                return "metric name " + name + " would be given by two sources, " + claimedBy.get(name);
            }
        }
        return null;
    }

    /** A metric name made from kernel text; an invalid one refuses its whole section. */
    private boolean validName(String name, String help) {
        if (plainName(name)) {
            return true;
        }
        invalidNames.add("\"" + help + "\" would be named " + name + ", which is not a plain metric name (or ends in a suffix Prometheus reserves)");
        return false;
    }

    /**
     * What Prometheus takes as a metric name, [a-zA-Z_][a-zA-Z0-9_]*, not ending in a reserved suffix;
     * by hand, not by two regexes, for the few dozen kernel-named families of every scrape.
     */
    static boolean plainName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        for (String suffix : RESERVED_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return false;
            }
        }
        return true;
    }

    private boolean boundedLabels(String name, String[] labels) {
        for (int i = 1; i < labels.length; i += 2) {
            if (labels[i].length() > MAX_LABEL_VALUE) {
                leftOut.add(name + "{" + labels[i - 1] + "=...}: a label value of " + labels[i].length()
                        + " characters, longer than " + MAX_LABEL_VALUE + ": series left out");
                return false;
            }
        }
        return true;
    }

    Gauge gauge(String name, String help) {
        return new Gauge(name, help);
    }

    Counter counter(String name, String help) {
        return new Counter(name, help);
    }

    /** An info family of one series; {@code name} without the {@code _info} that the exposition adds. */
    void info(String name, String help, String... labels) {
        if (!boundedLabels(name, labels)) {
            return;
        }
        MetricMetadata m = metadata(InfoSnapshot.class, name, help, null, () -> InfoSnapshot.builder().name(name).help(help).build());
        Labels l = labels(labels);
        Object[] keys = {l};
        MetricSnapshot s = keptPoints(m, keys);
        out.add(s != null ? s : keepPoints(m, keys, new InfoSnapshot(m, List.of(InfoSnapshot.InfoDataPointSnapshot.builder().labels(l).build()))));
    }

    /**
     * An info or StateSet family as the last scrape built it, by its metadata (compared by identity):
     * reused while its points are made of the same things (Labels, states list, state), as a gauge's are.
     */
    private record PointsKept(Object[] keys, MetricSnapshot snapshot) {}

    private static final Map<MetricMetadata, PointsKept> POINTS = new ConcurrentHashMap<>();

    /** The kept family of {@code m} when made of {@code keys} (Labels and lists the same objects, strings equal), else null. */
    private static MetricSnapshot keptPoints(MetricMetadata m, Object[] keys) {
        PointsKept k = POINTS.get(m);
        if (k == null || k.keys().length != keys.length) {
            return null;
        }
        for (int i = 0; i < keys.length; i++) {
            Object a = k.keys()[i];
            if (a != keys[i] && !(a instanceof String text && text.equals(keys[i]))) {
                return null;
            }
        }
        return k.snapshot();
    }

    private static MetricSnapshot keepPoints(MetricMetadata m, Object[] keys, MetricSnapshot s) {
        if (POINTS.size() >= KEPT) {
            POINTS.clear();
        }
        POINTS.put(m, new PointsKept(keys, s));
        return s;
    }

    /** An info family (OpenMetrics type info) of many series; {@code name} ends in {@code _info}, as it is exposed. */
    Info infos(String name, String help) {
        return new Info(name, help);
    }

    /**
     * A StateSet family: one series per state, 1 for the one that holds and 0 for the others, so a
     * change of state changes values, not series. The state is the label named after the family.
     */
    StateSet stateSet(String name, String help) {
        return new StateSet(name, help);
    }

    private static Unit unitOf(String name) {
        if (name.endsWith("_seconds")) {
            return Unit.SECONDS;
        }
        if (name.endsWith("_bytes")) {
            return Unit.BYTES;
        }
        if (name.endsWith("_ratio")) {
            return Unit.RATIO;
        }
        return null;
    }

    /**
     * A gauge or counter family as the last scrape built it, by name: client_java's snapshot
     * constructor sorts and compares every point's Labels (under C1, 4 % of a 1k scrape), so a family
     * whose labels (the same cached Labels objects, in the same order) and values are unchanged reuses
     * the immutable snapshot, and one whose values only changed is given its points already in order.
     */
    private record FamilyKept(MetricMetadata metadata, Labels[] labels, double[] values, int[] order, MetricSnapshot snapshot) {
        boolean sameLabels(MetricMetadata m, Labels[] l, int n) {
            if (metadata != m || labels.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (labels[i] != l[i]) {
                    return false;
                }
            }
            return true;
        }

        boolean sameValues(double[] v) {
            for (int i = 0; i < values.length; i++) {
                if (Double.doubleToRawLongBits(values[i]) != Double.doubleToRawLongBits(v[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final Map<String, FamilyKept> FAMILIES = new ConcurrentHashMap<>();

    /**
     * What a gauge and a counter family share: data points kept only if the family's name is valid
     * (checked in a kernel-named section) and its label values are within the bound; added to the
     * scrape by {@link #add()}, and only if it has a data point.
     */
    private abstract class ValueFamily<F extends ValueFamily<F>> {
        private final String name;
        private final boolean valid;
        private final MetricMetadata metadata;
        /** The family as the last scrape built it, or null: its Labels are this scrape's when the pairs are the same. */
        private final FamilyKept kept;
        private Labels[] labels;
        private double[] values;
        private int size;

        ValueFamily(String name, String help, Class<? extends MetricSnapshot> kind) {
            this.name = name;
            FamilyKept k = FAMILIES.get(name);
            if (k != null && k.snapshot().getClass() == kind && java.util.Objects.equals(k.metadata().getHelp(), help)) {
                // the kept family's metadata: same name (so unit, and valid: only a valid one is kept), kind and help
                valid = true;
                metadata = k.metadata();
                kept = k;
            } else {
                valid = !kernelSection || validName(name, help);
                // an invalid name never reaches a builder, which would throw
                String n = valid ? name : "invalid";
                Unit u = unitOf(name);
                metadata = metadata(kind, n, help, u, () -> empty(n, help, u));
                kept = valid && k != null && k.metadata() == metadata ? k : null;
            }
            int capacity = kept != null ? Math.max(kept.labels().length, 1) : 4;
            labels = new Labels[capacity];
            values = new double[capacity];
        }

        /** The kept family's Labels at this point when they have these pairs (a scrape gives its series in the same order), else Labels.of's. */
        private Labels labelsAt(int i, String[] pairs) {
            if (kept != null && i < kept.labels().length) {
                Labels l = kept.labels()[i];
                if (samePairs(l, pairs)) {
                    return l;
                }
            }
            return labels(pairs);
        }

        /** A family of no data points, for its validated metadata. */
        abstract MetricSnapshot empty(String name, String help, Unit unit);

        abstract MetricSnapshot build(MetricMetadata metadata, Labels[] labels, double[] values, int[] order);

        abstract F self();

        F set(double value, String... labels) {
            if (valid && boundedLabels(name, labels)) {
                if (size == this.labels.length) {
                    this.labels = Arrays.copyOf(this.labels, size * 2);
                    values = Arrays.copyOf(values, size * 2);
                }
                this.labels[size] = labelsAt(size, labels);
                values[size++] = value;
            }
            return self();
        }

        void add() {
            if (size == 0) {
                return;
            }
            Labels[] l = Arrays.copyOf(labels, size);
            double[] v = Arrays.copyOf(values, size);
            if (kept != null && kept.sameLabels(metadata, l, size)) {
                if (kept.sameValues(v)) {
                    out.add(kept.snapshot());
                    return;
                }
                MetricSnapshot s = build(metadata, l, v, kept.order());
                FAMILIES.put(name, new FamilyKept(metadata, l, v, kept.order(), s));
                out.add(s);
                return;
            }
            int[] given = new int[size];
            for (int i = 0; i < size; i++) {
                given[i] = i;
            }
            MetricSnapshot s = build(metadata, l, v, given);
            if (FAMILIES.size() >= KEPT) {
                FAMILIES.clear();
            }
            FAMILIES.put(name, new FamilyKept(metadata, l, v, orderOf(s, l), s));
            out.add(s);
        }
    }

    /** Whether {@code l} equals Labels.of(pairs): as many labels, each pair's name with that value (Labels sorts its names). */
    private static boolean samePairs(Labels l, String[] pairs) {
        if (l.size() * 2 != pairs.length) {
            return false;
        }
        for (int i = 0; i < pairs.length; i += 2) {
            if (!pairs[i + 1].equals(valueOf(l, pairs[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The value of label {@code name} in {@code l}, or null; by hand, as Labels.get would convert the name first. */
    private static String valueOf(Labels l, String name) {
        for (int j = 0; j < l.size(); j++) {
            if (l.getName(j).equals(name)) {
                return l.getValue(j);
            }
        }
        return null;
    }

    /** Where each of the sorted points of {@code s} was given, so the next scrape can give them in that order. */
    private static int[] orderOf(MetricSnapshot s, Labels[] given) {
        Map<Labels, Integer> at = new java.util.IdentityHashMap<>();
        for (int i = 0; i < given.length; i++) {
            at.put(given[i], i);
        }
        List<? extends io.prometheus.metrics.model.snapshots.DataPointSnapshot> sorted = s.getDataPoints();
        int[] order = new int[sorted.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = at.get(sorted.get(i).getLabels());
        }
        return order;
    }

    /** A gauge family. */
    final class Gauge extends ValueFamily<Gauge> {
        private Gauge(String name, String help) {
            super(name, help, GaugeSnapshot.class);
        }

        @Override
        MetricSnapshot empty(String name, String help, Unit unit) {
            GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
            return (unit == null ? b : b.unit(unit)).build();
        }

        @Override
        MetricSnapshot build(MetricMetadata metadata, Labels[] labels, double[] values, int[] order) {
            List<GaugeSnapshot.GaugeDataPointSnapshot> points = new ArrayList<>(order.length);
            for (int i : order) {
                // as the builder makes it (no exemplar, no timestamp), without a builder and a boxed value a point
                points.add(new GaugeSnapshot.GaugeDataPointSnapshot(values[i], labels[i], null, 0L));
            }
            return new GaugeSnapshot(metadata, points);
        }

        @Override
        Gauge self() {
            return this;
        }
    }

    /** A counter family. */
    final class Counter extends ValueFamily<Counter> {
        private Counter(String name, String help) {
            super(name, help, CounterSnapshot.class);
        }

        @Override
        MetricSnapshot empty(String name, String help, Unit unit) {
            CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
            return (unit == null ? b : b.unit(unit)).build();
        }

        @Override
        MetricSnapshot build(MetricMetadata metadata, Labels[] labels, double[] values, int[] order) {
            List<CounterSnapshot.CounterDataPointSnapshot> points = new ArrayList<>(order.length);
            for (int i : order) {
                points.add(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels[i]).value(values[i]).build());
            }
            return new CounterSnapshot(metadata, points);
        }

        @Override
        Counter self() {
            return this;
        }
    }

    /** An info family; added to the scrape by {@link #add()}, and only if it has a series. */
    final class Info {
        private final MetricMetadata metadata;
        private final List<Labels> points = new ArrayList<>();

        private final String name;

        private Info(String name, String help) {
            this.name = name;
            if (!name.endsWith("_info")) {
                throw new IllegalArgumentException(name + ": an info family's name ends in _info");
            }
            String base = name.substring(0, name.length() - "_info".length());
            metadata = metadata(InfoSnapshot.class, base, help, null, () -> InfoSnapshot.builder().name(base).help(help).build());
        }

        Info set(String... labels) {
            if (!boundedLabels(name, labels)) {
                return this;
            }
            points.add(labels(labels));
            return this;
        }

        void add() {
            if (points.isEmpty()) {
                return;
            }
            Object[] keys = points.toArray();
            MetricSnapshot s = keptPoints(metadata, keys);
            if (s == null) {
                List<InfoSnapshot.InfoDataPointSnapshot> built = new ArrayList<>(points.size());
                for (Labels l : points) {
                    built.add(InfoSnapshot.InfoDataPointSnapshot.builder().labels(l).build());
                }
                s = keepPoints(metadata, keys, new InfoSnapshot(metadata, built));
            }
            out.add(s);
        }
    }

    /** A StateSet family; added to the scrape by {@link #add()}, and only if it has a data point. */
    final class StateSet {
        private final MetricMetadata metadata;
        /** Per point its Labels, states list and current state: what it is made of. */
        private final List<Object> keys = new ArrayList<>();

        private StateSet(String name, String help) {
            metadata = metadata(StateSetSnapshot.class, name, help, null, () -> StateSetSnapshot.builder().name(name).help(help).build());
        }

        /** One data point: every state of {@code states}, {@code current} the one that holds. */
        StateSet set(List<String> states, String current, String... labels) {
            keys.add(labels(labels));
            keys.add(states);
            keys.add(current);
            return this;
        }

        @SuppressWarnings("unchecked") // the keys are (Labels, List<String>, String) triples, as set() adds them
        void add() {
            if (keys.isEmpty()) {
                return;
            }
            Object[] made = keys.toArray();
            MetricSnapshot s = keptPoints(metadata, made);
            if (s == null) {
                List<StateSetSnapshot.StateSetDataPointSnapshot> points = new ArrayList<>(made.length / 3);
                for (int i = 0; i < made.length; i += 3) {
                    var p = StateSetSnapshot.StateSetDataPointSnapshot.builder().labels((Labels) made[i]);
                    for (String state : (List<String>) made[i + 1]) {
                        p.state(state, state.equals(made[i + 2]));
                    }
                    points.add(p.build());
                }
                s = keepPoints(metadata, made, new StateSetSnapshot(metadata, points));
            }
            out.add(s);
        }
    }
}

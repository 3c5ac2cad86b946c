package dev.tcpfootgun.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects metric families for one scrape. Names are given without {@code _total}; the unit is
 * taken from the name's suffix so OpenMetrics gets its UNIT line.
 */
final class Families {

    private final List<MetricSnapshot> out = new ArrayList<>();

    List<MetricSnapshot> snapshots() {
        return out;
    }

    void add(MetricSnapshot snapshot) {
        out.add(snapshot);
    }

    Gauge gauge(String name, String help) {
        return new Gauge(name, help);
    }

    Counter counter(String name, String help) {
        return new Counter(name, help);
    }

    /** An info family of one series; {@code name} without the {@code _info} that the exposition adds. */
    void info(String name, String help, String... labels) {
        out.add(InfoSnapshot.builder().name(name).help(help)
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(labels)).build())
                .build());
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

    /** A gauge family; added to the scrape by {@link #add()}, and only if it has a data point. */
    final class Gauge {
        private final GaugeSnapshot.Builder b;
        private boolean empty = true;

        private Gauge(String name, String help) {
            b = GaugeSnapshot.builder().name(name).help(help);
            Unit u = unitOf(name);
            if (u != null) {
                b.unit(u);
            }
        }

        Gauge set(double value, String... labels) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build());
            empty = false;
            return this;
        }

        void add() {
            if (!empty) {
                out.add(b.build());
            }
        }
    }

    /** A counter family; added to the scrape by {@link #add()}, and only if it has a data point. */
    final class Counter {
        private final CounterSnapshot.Builder b;
        private boolean empty = true;

        private Counter(String name, String help) {
            b = CounterSnapshot.builder().name(name).help(help);
            Unit u = unitOf(name);
            if (u != null) {
                b.unit(u);
            }
        }

        Counter set(double value, String... labels) {
            b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of(labels)).value(value).build());
            empty = false;
            return this;
        }

        void add() {
            if (!empty) {
                out.add(b.build());
            }
        }
    }

    /** An info family; added to the scrape by {@link #add()}, and only if it has a series. */
    final class Info {
        private final InfoSnapshot.Builder b;
        private boolean empty = true;

        private Info(String name, String help) {
            if (!name.endsWith("_info")) {
                throw new IllegalArgumentException(name + ": an info family's name ends in _info");
            }
            b = InfoSnapshot.builder().name(name.substring(0, name.length() - "_info".length())).help(help);
        }

        Info set(String... labels) {
            b.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(labels)).build());
            empty = false;
            return this;
        }

        void add() {
            if (!empty) {
                out.add(b.build());
            }
        }
    }

    /** A StateSet family; added to the scrape by {@link #add()}, and only if it has a data point. */
    final class StateSet {
        private final StateSetSnapshot.Builder b;
        private boolean empty = true;

        private StateSet(String name, String help) {
            b = StateSetSnapshot.builder().name(name).help(help);
        }

        /** One data point: every state of {@code states}, {@code current} the one that holds. */
        StateSet set(List<String> states, String current, String... labels) {
            var p = StateSetSnapshot.StateSetDataPointSnapshot.builder().labels(Labels.of(labels));
            for (String state : states) {
                p.state(state, state.equals(current));
            }
            b.dataPoint(p.build());
            empty = false;
            return this;
        }

        void add() {
            if (!empty) {
                out.add(b.build());
            }
        }
    }
}

package dev.tcpfootgun.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
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

    void info(String name, String help, String... labels) {
        out.add(InfoSnapshot.builder().name(name).help(help)
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of(labels)).build())
                .build());
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
}

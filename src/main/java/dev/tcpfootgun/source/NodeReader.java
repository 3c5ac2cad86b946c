package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads every collector switched on in one network namespace into a snapshot, one after another. A
 * source that fails costs its own reading; nothing it throws escapes.
 *
 * @param parts one per collector switched on, in the registry's order
 */
public record NodeReader(List<Part<?>> parts) implements Supplier<NodeSnapshot> {

    public NodeReader {
        parts = List.copyOf(parts);
    }

    /** One collector's source, as this reader runs it; {@code collector} labels its reading. */
    public record Part<T>(String collector, Source<T> source) {
        public Reading<T> read() {
            return NodeReader.read(collector, source);
        }
    }

    /** The readers of these collectors in one scope. */
    public static NodeReader of(List<Collector<?>> collectors, Scope scope) {
        return new NodeReader(Collectors.parts(collectors, scope));
    }

    /** The collectors this reader reads. */
    public List<String> collectors() {
        return parts.stream().map(Part::collector).toList();
    }

    @Override
    public NodeSnapshot get() {
        long start = System.nanoTime();
        List<Reading<?>> readings = new ArrayList<>(parts.size());
        for (Part<?> p : parts) {
            readings.add(p.read());
        }
        return NodeSnapshot.of(start, readings);
    }

    /** Runs one source, timing it and turning any failure into a failed (or absent) reading with its reason. */
    public static <T> Reading<T> read(String collector, Source<T> source) {
        long t0 = System.nanoTime();
        ParseLog log = new ParseLog();
        try {
            T value = source.read(log);
            return Reading.ok(collector, value, (System.nanoTime() - t0) / 1e9, log.skipped(), log.firstProblem());
        } catch (AbsentException e) {
            return Reading.absent(collector, e.getMessage(), (System.nanoTime() - t0) / 1e9);
        } catch (IOException | RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return Reading.failed(collector, reason, (System.nanoTime() - t0) / 1e9);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // a pathological input must cost its source, not the process
            return Reading.failed(collector, e.getClass().getSimpleName(), (System.nanoTime() - t0) / 1e9);
        }
    }
}

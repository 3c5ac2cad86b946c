package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Slot;

/**
 * One collector, declared once in {@link Collectors}: everything else (its
 * {@code --[no-]collector.<name>} flag, its success and duration series, the start-up line, each
 * namespace's reader, the tests' snapshot builders) follows from this.
 *
 * @param slot where its reading sits in a NodeSnapshot; its name is the collector's
 * @param enabledByDefault on unless --no-collector.NAME (or --collector.disable-defaults without --collector.NAME)
 * @param help one line for --help
 * @param factory its source for a scope (the exporter's namespace, or another entered or not)
 */
public record Collector<T>(Slot<T> slot, boolean enabledByDefault, String help, Factory<T> factory) {

    /**
     * Builds the source of one scope; a source that cannot work there is {@link Unavailable}, with the
     * reason (its reading is absent, success 0); null leaves the collector out of that scope altogether
     * (no reading, no series), for a source that is never meant to be read there.
     */
    @FunctionalInterface
    public interface Factory<T> {
        Source<T> source(Scope scope);
    }

    public String name() {
        return slot.name();
    }

    /** This collector's source in a scope, as NodeReader runs it; null when it is not read there. */
    public NodeReader.Part<T> part(Scope scope) {
        Source<T> source = factory.source(scope);
        return source == null ? null : new NodeReader.Part<>(name(), source);
    }
}

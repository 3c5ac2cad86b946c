package dev.tcpfootgun.source;

import java.io.IOException;

/**
 * Reads and parses one kind of kernel data. Knows nothing of Prometheus. A missing file or a
 * kernel without the feature throws; the snapshot reader turns that into a failed reading.
 */
public interface Source<T> {

    /** The {@code collector} label value. */
    String collector();

    T read(ParseLog log) throws IOException;
}

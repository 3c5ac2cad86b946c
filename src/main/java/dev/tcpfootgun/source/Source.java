package dev.tcpfootgun.source;

import java.io.IOException;

/**
 * Reads and parses one kind of kernel data. Knows nothing of Prometheus. A missing file or a
 * kernel without the feature throws; the snapshot reader turns that into a failed reading.
 */
@FunctionalInterface
public interface Source<T> {

    /** Its collector's name is the registry's (source/Collectors), not the source's. */
    T read(ParseLog log) throws IOException;
}

package dev.tcpfootgun.snapshot;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Where one source keeps the column arrays of a read's stores once nothing reads them, for its next read
 * to fill again instead of allocating them: at 100,000 sockets about 2.5 MiB a read (the detailed
 * connections' columns and the compact store's), which would otherwise be allocated in a young
 * generation of a few MiB, copied and promoted with the rest of the scrape. The scraper gives a read's
 * table back ({@link SocketTable#recycle()}) when the last scrape that shares it is done with it; a table
 * that is never given back is garbage as before. One spare of each: reads that overlap allocate.
 */
public final class Recycling {
    private final AtomicReference<DetailedSockets> detailed = new AtomicReference<>();
    private final AtomicReference<CompactSockets> compact = new AtomicReference<>();

    void give(DetailedSockets d) {
        detailed.set(d);
    }

    void give(CompactSockets c) {
        compact.set(c);
    }

    /** The spare detailed store, if one was given back since the last take; null otherwise. */
    DetailedSockets takeDetailed() {
        return detailed.getAndSet(null);
    }

    CompactSockets takeCompact() {
        return compact.getAndSet(null);
    }
}

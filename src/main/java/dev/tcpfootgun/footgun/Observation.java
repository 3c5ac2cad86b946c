package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.NodeSnapshot;

/**
 * What checks judge: the current snapshot, the previous one (null on the first read) for rates, and
 * the socket census, computed at most once however many checks and renderers ask for it.
 */
public final class Observation {
    private final NodeSnapshot now;
    private final NodeSnapshot previous;
    private final int destinationsTop;
    private SocketCensus census;

    public Observation(NodeSnapshot now, NodeSnapshot previous, int destinationsTop) {
        this.now = now;
        this.previous = previous;
        this.destinationsTop = destinationsTop;
    }

    public NodeSnapshot now() {
        return now;
    }

    /** The snapshot before this one, or null. */
    public NodeSnapshot previous() {
        return previous;
    }

    public int destinationsTop() {
        return destinationsTop;
    }

    /** Null when sockets could not be read. */
    public synchronized SocketCensus census() {
        if (census == null && now.sockets().success()) {
            census = SocketCensus.of(now);
        }
        return census;
    }
}

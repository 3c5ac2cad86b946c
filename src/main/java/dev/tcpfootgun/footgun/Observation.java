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
    /** The snapshot's socket count, kept when its table is released; -1 while the table is there. */
    private int socketCount = -1;

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
        if (census == null && now.sockets().success() && now.sockets().value() != null) {
            census = SocketCensus.of(now);
        }
        return census;
    }

    /** How many sockets the snapshot held, in every state; 0 when they could not be read. */
    public synchronized int socketCount() {
        if (socketCount >= 0) {
            return socketCount;
        }
        return now.sockets().value() == null ? 0 : now.sockets().value().size();
    }

    /**
     * This observation once judged, as kept while other network namespaces are read: the census is
     * counted now and the socket table released, so a node's namespaces are never in memory all at
     * once. Its census and socket count stay; checks must not judge it again.
     */
    public synchronized Observation withoutSockets() {
        Observation kept = new Observation(now.releasingSockets(), previous, destinationsTop);
        kept.census = census();
        kept.socketCount = socketCount();
        return kept;
    }
}

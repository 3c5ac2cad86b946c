package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.SocketTable;
import java.util.Map;
import java.util.Optional;

/**
 * What checks judge: the current snapshot, the previous one (null on the first read) for rates, and
 * the facts derived from it (the socket census, the egress qdiscs), each computed at most once however
 * many checks and renderers ask for it. How the renderers cap their series is theirs (Settings), not here.
 */
public final class Observation {
    private final NodeSnapshot now;
    private final NodeSnapshot previous;
    /** The node's pods by the addresses their namespaces own; empty without --collector.netns. */
    private final dev.tcpfootgun.netns.PodAddresses podsByAddress;
    private SocketCensus census;
    /** Null until derived, and while the qdiscs could not be read. */
    private Map<Integer, EgressQdisc> egress;
    /** The listeners by address, derived once for the two checks that judge them; null until then or while sockets are unread. */
    private ListenerGroups listeners;
    /** The connections' peers by listening ports alone, derived once for the checks that group by peer; null until then. */
    private ConnectionPeers listeningPeers;
    /** The connections' peers by listening ports and the ephemeral range, derived once for the census and the renderer from {@link #listeningPeers}; null until then. */
    private ConnectionPeers rangedPeers;
    /** The snapshot's socket count, kept when its table is released; -1 while the table is there. */
    private int socketCount = -1;

    public Observation(NodeSnapshot now, NodeSnapshot previous) {
        this(now, previous, new dev.tcpfootgun.netns.PodAddresses(Map.of()));
    }

    /** @param podsByAddress the node's pods by their namespaces' addresses, for naming who sends to a destination */
    public Observation(NodeSnapshot now, NodeSnapshot previous, dev.tcpfootgun.netns.PodAddresses podsByAddress) {
        this.podsByAddress = podsByAddress;
        this.now = now;
        this.previous = previous;
    }

    public NodeSnapshot now() {
        return now;
    }

    /** The node's pods by address, or empty: conntrack's original sources are matched against it. */
    public dev.tcpfootgun.netns.PodAddresses podsByAddress() {
        return podsByAddress;
    }

    /** "shop/cart-7d9" for the pod owning {@code ip}, or "unknown". */
    public static String podName(dev.tcpfootgun.netns.PodAddresses pods, String ip) {
        dev.tcpfootgun.netns.Pod p = pods.podOf(ip).orElse(null);
        if (p == null) {
            return "unknown";
        }
        return p.name().isEmpty() ? p.uid() : p.namespace() + "/" + p.name();
    }

    /** The snapshot before this one, or null. */
    public NodeSnapshot previous() {
        return previous;
    }

    /** Null when sockets could not be read. */
    public synchronized SocketCensus census() {
        if (census == null && now.sockets().value().isPresent()) {
            census = SocketCensus.of(now, this::rangedPeers);
        }
        return census;
    }

    /** The listening sockets grouped by address with net.core.somaxconn; null when sockets could not be read. */
    synchronized ListenerGroups listenerGroups() {
        if (listeners == null) {
            listeners = ListenerGroups.of(this, ListenerGroups.somaxconn(this));
        }
        return listeners;
    }

    /** Server ends told by listening ports alone (not by the ephemeral range); the sockets must have been read. */
    synchronized ConnectionPeers listeningPeers() {
        if (listeningPeers == null) {
            listeningPeers = ConnectionPeers.of(now.sockets().value().orElseThrow().detailed().listeners());
        }
        return listeningPeers;
    }

    /**
     * Server ends told by listening ports and, where the sysctls were read, by local ports outside the
     * ephemeral range, as the census and the renderer name them; the sockets must have been read.
     */
    public synchronized ConnectionPeers rangedPeers() {
        if (rangedPeers == null) {
            rangedPeers = listeningPeers().withRange(SocketCensus.ephemeralPorts(now));
        }
        return rangedPeers;
    }

    /**
     * Each interface's egress qdisc by ifindex (absent: none listed), derived once for the check and
     * the renderer alike; empty when the qdiscs could not be read.
     */
    public synchronized Optional<Map<Integer, EgressQdisc>> egressQdiscs() {
        if (egress == null) {
            egress = now.qdiscs().value().map(EgressQdisc::byInterface).orElse(null);
            if (egress == null) {
                return Optional.empty();
            }
        }
        return Optional.of(egress);
    }

    /** How many sockets the snapshot held, in every state; 0 when they could not be read. */
    public synchronized int socketCount() {
        if (socketCount >= 0) {
            return socketCount;
        }
        return now.sockets().map(SocketTable::size).orElse(0);
    }

    /**
     * This observation once judged, as kept while other network namespaces are read: the census is
     * counted now and the socket table released, so a node's namespaces are never in memory all at
     * once. Its census and socket count stay; checks must not judge it again.
     */
    public synchronized Observation withoutSockets() {
        Observation kept = new Observation(now.withoutSockets(), previous, podsByAddress);
        kept.census = census();
        kept.egress = egressQdiscs().orElse(null);
        kept.socketCount = socketCount();
        return kept;
    }
}

package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Listening sockets grouped by family and address:port, each with its accept queue and backlog. For a
 * listener the kernel reports the accept queue as rxQueue and the backlog as txQueue (sock_diag;
 * /proc/net/tcp has no backlog, so net.core.somaxconn, the cap of every backlog, stands in). More
 * than one listener on one address:port can only be an SO_REUSEPORT group: bind() refuses the second
 * otherwise.
 */
record ListenerGroups(List<Group> groups) {

    /** One listening socket: its accept queue and backlog. */
    record Listener(long queued, long backlog) {
        boolean full() {
            return backlog >= 0 && queued >= Math.max(1, backlog);
        }

        boolean idle() {
            return queued == 0;
        }

        double fill() {
            return backlog > 0 ? (double) queued / backlog : queued > 0 ? 1 : 0;
        }

        String text() {
            return queued + "/" + (backlog >= 0 ? Long.toString(backlog) : "?");
        }
    }

    /** Listeners on one address:port of one family: an IPv4 and an IPv6 socket never share a queue group. */
    record Group(Family family, Endpoint address, List<Listener> listeners) {
        boolean reuseport() {
            return listeners.size() > 1;
        }

        /** One listener full while another idles: the kernel's hash keeps feeding the full one. */
        boolean imbalanced() {
            return reuseport() && listeners.stream().anyMatch(Listener::full) && listeners.stream().anyMatch(Listener::idle);
        }

        boolean anyFull() {
            return listeners.stream().anyMatch(Listener::full);
        }

        double fill() {
            return listeners.stream().mapToDouble(Listener::fill).max().orElse(0);
        }

        String queues() {
            return listeners.stream().map(Listener::text).collect(Collectors.joining(", "));
        }

        /** "10.0.0.5:443, a single listener (in no SO_REUSEPORT group)" or "0.0.0.0:8080, an SO_REUSEPORT group of 4". */
        String named() {
            return address + (reuseport() ? ", an SO_REUSEPORT group of " + listeners.size() + " listeners"
                    : ", a single listener (in no SO_REUSEPORT group)");
        }
    }

    static ListenerGroups of(List<TcpSocket> sockets, OptionalLong somaxconn) {
        record Key(Family family, Endpoint endpoint) {}
        Map<Key, List<Listener>> byAddress = new LinkedHashMap<>();
        for (TcpSocket s : sockets) {
            if (s.state() == TcpState.LISTEN) {
                long backlog = s.txQueue() > 0 ? s.txQueue() : somaxconn.orElse(-1);
                byAddress.computeIfAbsent(new Key(s.family(), s.local()), k -> new ArrayList<>()).add(new Listener(s.rxQueue(), backlog));
            }
        }
        List<Group> groups = new ArrayList<>();
        byAddress.forEach((k, v) -> groups.add(new Group(k.family(), k.endpoint(), List.copyOf(v))));
        return new ListenerGroups(List.copyOf(groups));
    }

    int listenerCount() {
        return groups.stream().mapToInt(g -> g.listeners().size()).sum();
    }

    long reuseportGroups() {
        return groups.stream().filter(Group::reuseport).count();
    }

    /** The fullest group that is not out of balance (those are reuseport_imbalance's), or null when every queue is empty. */
    Group fullestBalanced() {
        return groups.stream().filter(g -> !g.imbalanced() && g.fill() > 0).max(Comparator.comparingDouble(Group::fill)).orElse(null);
    }
}

package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.Sysctls;
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
            if (!reuseport()) {
                return false;
            }
            boolean full = false;
            boolean idle = false;
            for (Listener l : listeners) {
                full |= l.full();
                idle |= l.idle();
            }
            return full && idle;
        }

        boolean anyFull() {
            for (Listener l : listeners) {
                if (l.full()) {
                    return true;
                }
            }
            return false;
        }

        double fill() {
            double max = 0;
            for (Listener l : listeners) {
                max = Math.max(max, l.fill());
            }
            return max;
        }

        String queues() {
            return listeners.stream().map(Listener::text).collect(Collectors.joining(", "));
        }

        /** "10.0.0.5:443, a single listener (in no SO_REUSEPORT group)" or "0.0.0.0:8080, an SO_REUSEPORT group of 4". */
        Prose named() {
            return Prose.of(address, reuseport() ? ", an SO_REUSEPORT group of " + listeners.size() + " listeners"
                    : ", a single listener (in no SO_REUSEPORT group)");
        }
    }

    /** The observation's listeners, or null when its sockets could not be read. */
    static ListenerGroups of(Observation o, OptionalLong somaxconn) {
        return o.now().sockets().map(t -> of(t.detailed().listeners(), somaxconn)).orElse(null);
    }

    /** Why there are no listeners to judge: the socket reading's error. */
    static String unread(Observation o) {
        return o.now().sockets().problem();
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

    /** net.core.somaxconn, the cap of every listen() backlog, when the sysctls were read. */
    static OptionalLong somaxconn(Observation o) {
        Sysctls sysctls = o.now().sysctls().value().orElse(null);
        return sysctls == null ? OptionalLong.empty() : sysctls.number("net.core.somaxconn");
    }

    /** "; net.core.somaxconn=4096 caps every listen() backlog", or nothing without the sysctl. */
    static String somaxconnNote(OptionalLong somaxconn) {
        return somaxconn.isPresent() ? "; net.core.somaxconn=" + somaxconn.getAsLong() + " caps every listen() backlog" : "";
    }

    /** TcpExt ListenOverflows and ListenDrops since the previous read (0 without one). */
    record Overflows(double overflowed, double dropped, double seconds) {
        static Overflows of(Observation o) {
            return new Overflows(o.now().counterIncrease(o.previous(), "TcpExt", "ListenOverflows").orElse(0),
                    o.now().counterIncrease(o.previous(), "TcpExt", "ListenDrops").orElse(0),
                    o.previous() == null ? 0 : o.now().secondsSince(o.previous()));
        }

        boolean rising() {
            return overflowed > 0 || dropped > 0;
        }

        String text() {
            return String.format(java.util.Locale.ROOT, "TcpExt ListenOverflows rose by %.0f and ListenDrops by %.0f in %.1f s",
                    overflowed, dropped, seconds);
        }
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

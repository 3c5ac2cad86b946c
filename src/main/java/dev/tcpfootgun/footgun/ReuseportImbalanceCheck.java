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
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Seed section 11: SO_REUSEADDR lets a server restart, SO_REUSEPORT lets several workers listen on one
 * address:port with the kernel spreading connections over them. The spreading hashes addresses and
 * ports, not load: a worker that stops accepting keeps receiving its share, its accept queue fills
 * and those connections are dropped while its peers idle. For a listener the kernel reports the
 * accept queue as rxQueue and the backlog as txQueue (sock_diag; /proc/net/tcp has no backlog, so
 * there net.core.somaxconn, the cap of every backlog, stands in).
 */
public final class ReuseportImbalanceCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.REUSEPORT_IMBALANCE;
    }

    /** One listening socket: its accept queue and backlog. */
    private record Listener(long queued, long backlog) {
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

    /** Listeners share a queue group only within one family: an IPv4 and an IPv6 socket never pair up. */
    private record Address(Family family, Endpoint endpoint) {}

    private record Group(Endpoint address, List<Listener> listeners) {
        boolean imbalanced() {
            return listeners.size() > 1 && listeners.stream().anyMatch(Listener::full)
                    && listeners.stream().anyMatch(Listener::idle);
        }

        double fill() {
            return listeners.stream().mapToDouble(Listener::fill).max().orElse(0);
        }
    }

    @Override
    public Finding judge(Observation o) {
        Sysctls sysctls = o.now().sysctls().value();
        OptionalLong somaxconn = sysctls == null ? OptionalLong.empty() : sysctls.number("net.core.somaxconn");
        if (!o.now().sockets().success()) {
            return Finding.unknown(footgun(), "TCP sockets could not be read (" + o.now().sockets().error() + ")", fix(null, somaxconn));
        }
        Map<Address, List<Listener>> byAddress = new LinkedHashMap<>();
        for (TcpSocket s : o.now().sockets().value().open()) {
            if (s.state() == TcpState.LISTEN) {
                long backlog = s.txQueue() > 0 ? s.txQueue() : somaxconn.orElse(-1);
                byAddress.computeIfAbsent(new Address(s.family(), s.local()), k -> new ArrayList<>()).add(new Listener(s.rxQueue(), backlog));
            }
        }
        List<Group> groups = new ArrayList<>();
        byAddress.forEach((k, v) -> groups.add(new Group(k.endpoint(), v)));
        List<String> evidence = new ArrayList<>();
        long shared = groups.stream().filter(g -> g.listeners().size() > 1).count();
        evidence.add(String.format(Locale.ROOT, "%d listening sockets on %d addresses, %d of them shared by SO_REUSEPORT groups%s",
                groups.stream().mapToInt(g -> g.listeners().size()).sum(), groups.size(), shared,
                somaxconn.isPresent() ? "; net.core.somaxconn=" + somaxconn.getAsLong() + " caps every listen() backlog" : ""));

        double risk = 0;
        Group named = null;
        for (Group g : groups) {
            if (g.imbalanced()) {
                risk = Status.CRITICAL_AT;
                named = named == null ? g : named;
                long idle = g.listeners().stream().filter(Listener::idle).count();
                evidence.add(String.format(Locale.ROOT,
                        "%s: %d SO_REUSEPORT listeners with accept queues %s (queued/backlog): one is full while %d %s idle; "
                                + "the kernel hashes each new connection to a listener by address and port, not by load, "
                                + "so the ones that land on the full queue are dropped",
                        g.address(), g.listeners().size(), queues(g), idle, idle == 1 ? "is" : "are"));
            }
        }
        for (Group g : groups) {
            if (!g.imbalanced() && g.listeners().stream().anyMatch(Listener::full)) {
                evidence.add(String.format(Locale.ROOT, "%s: accept queue%s full (%s queued/backlog): the server is not accepting fast enough",
                        g.address(), g.listeners().size() == 1 ? "" : "s", queues(g)));
            }
        }
        OptionalDouble overflows = o.now().counterIncrease(o.previous(), "TcpExt", "ListenOverflows");
        OptionalDouble drops = o.now().counterIncrease(o.previous(), "TcpExt", "ListenDrops");
        double overflowed = overflows.orElse(0);
        double dropped = drops.orElse(0);
        if (overflowed > 0 || dropped > 0) {
            risk = risk >= Status.CRITICAL_AT ? 1 : Math.max(risk, Status.WARN_AT);
            if (named == null) {
                named = groups.stream().filter(g -> g.fill() > 0).max(Comparator.comparingDouble(Group::fill)).orElse(null);
            }
            evidence.add(String.format(Locale.ROOT,
                    "TcpExt ListenOverflows rose by %.0f and ListenDrops by %.0f in %.1f s: connections were dropped at a full accept queue%s",
                    overflowed, dropped, o.now().secondsSince(o.previous()),
                    named == null ? "" : " (fullest now: " + named.address() + ", " + queues(named) + ")"));
        }
        return Finding.of(footgun(), risk, evidence, fix(named, somaxconn));
    }

    private static String queues(Group g) {
        return g.listeners().stream().map(Listener::text).collect(Collectors.joining(", "));
    }

    private static String fix(Group named, OptionalLong somaxconn) {
        long target = Math.max(KernelFacts.DEFAULT_SOMAXCONN, somaxconn.orElse(0) * 2);
        String where = named == null ? "a full listener" : named.address().toString();
        String stuck = named != null && named.imbalanced()
                ? "On " + where + " the worker that owns the full listener is not calling accept(): it is stuck, blocked or gone, "
                        + "and SO_REUSEPORT keeps handing it 1/" + named.listeners().size() + " of new connections. "
                        + "Unblock or restart that worker, or have a worker close its listening socket when it stops accepting. "
                : "Accept faster on " + where + " (more workers, no blocking work in the accept loop). ";
        return stuck + "Give listeners a backlog that absorbs bursts: listen(fd, " + target + ") with sysctl -w net.core.somaxconn="
                + target + (somaxconn.isPresent() ? " (now " + somaxconn.getAsLong() + ")" : "")
                + ". Servers should set SO_REUSEADDR (restart without waiting for TIME_WAIT); multi-process servers "
                + "additionally SO_REUSEPORT to spread connections over workers. Watch TcpExt ListenOverflows.";
    }
}

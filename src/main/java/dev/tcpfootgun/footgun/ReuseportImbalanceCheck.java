package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Seed section 11: SO_REUSEADDR lets a server restart, SO_REUSEPORT lets several workers listen on one
 * address:port with the kernel spreading connections over them. The spreading hashes addresses and
 * ports, not load: a worker that stops accepting keeps receiving its share, its accept queue fills
 * and those connections are dropped while its peers idle. Only SO_REUSEPORT groups are judged here:
 * a lone listener that overflows, or a group full throughout, is listen_queue_overflow.
 */
public final class ReuseportImbalanceCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.REUSEPORT_IMBALANCE;
    }

    @Override
    public Finding judge(Observation o) {
        OptionalLong somaxconn = ListenerGroups.somaxconn(o);
        ListenerGroups listeners = o.listenerGroups();
        if (listeners == null) {
            return Finding.unknown(footgun(), ListenerGroups.unread(o), fix(null, somaxconn));
        }
        ListenerGroups.Group named = null;
        for (ListenerGroups.Group g : listeners.groups()) {
            if (g.imbalanced()) {
                named = g;
                break;
            }
        }
        ListenerGroups.Overflows overflows = ListenerGroups.Overflows.of(o);
        // the imbalance is dropping connections now when the counters rise
        double risk = named == null ? 0 : overflows.rising() ? 1 : Status.CRITICAL_AT;
        ListenerGroups.Group first = named;
        return Finding.of(footgun(), risk, false, Finding.Explanation.later(() -> Finding.Explanation.of(
                evidence(listeners, somaxconn, overflows, first), fix(first, somaxconn))));
    }

    private static List<Prose> evidence(ListenerGroups listeners, OptionalLong somaxconn, ListenerGroups.Overflows overflows,
            ListenerGroups.Group named) {
        List<Prose> evidence = new ArrayList<>();
        evidence.add(Prose.format("%d listening sockets on %d addresses, %d of them shared by SO_REUSEPORT groups%s",
                listeners.listenerCount(), listeners.groups().size(), listeners.reuseportGroups(),
                ListenerGroups.somaxconnNote(somaxconn)));
        for (ListenerGroups.Group g : listeners.groups()) {
            if (g.imbalanced()) {
                long idle = g.listeners().stream().filter(ListenerGroups.Listener::idle).count();
                evidence.add(Prose.format(
                        "%s: %d SO_REUSEPORT listeners with accept queues %s (queued/backlog): one is full while %d %s idle; "
                                + "the kernel hashes each new connection to a listener by address and port, not by load, "
                                + "so the ones that land on the full queue are dropped",
                        g.address(), g.listeners().size(), g.queues(), idle, idle == 1 ? "is" : "are"));
            }
        }
        if (overflows.rising()) {
            evidence.add(Prose.of(overflows.text(),
                    named != null ? Prose.of(": connections were dropped at the full queue of ", named.address())
                            : ": no SO_REUSEPORT group is out of balance, so the overflow is reported under listen_queue_overflow"));
        }
        return evidence;
    }

    private static Prose fix(ListenerGroups.Group named, OptionalLong somaxconn) {
        long target = Math.max(KernelFacts.DEFAULT_SOMAXCONN, somaxconn.orElse(0) * 2);
        Prose stuck = named != null
                ? Prose.of("On ", named.address(), " the worker that owns the full listener is not calling accept(): it is stuck, blocked or gone, "
                        + "and SO_REUSEPORT keeps handing it 1/" + named.listeners().size() + " of new connections. "
                        + "Unblock or restart that worker, or have a worker close its listening socket when it stops accepting. ")
                : Prose.of();
        return Prose.of(stuck, "Give listeners a backlog that absorbs bursts: listen(fd, " + target + ") with sysctl -w net.core.somaxconn="
                + target + (somaxconn.isPresent() ? " (now " + somaxconn.getAsLong() + ")" : "")
                + ". Servers should set SO_REUSEADDR (restart without waiting for TIME_WAIT); multi-process servers "
                + "additionally SO_REUSEPORT to spread connections over workers. Watch TcpExt ListenOverflows.");
    }
}

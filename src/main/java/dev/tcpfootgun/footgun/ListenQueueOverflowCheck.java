package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Seed section 11's neighbour: a listener whose accept queue fills because the server does not call
 * accept() fast enough, or whose backlog is too small for its bursts; the kernel then drops the SYNs
 * or final ACKs that arrive (TcpExt ListenOverflows, ListenDrops) and clients retry a second or more
 * later. Its own footgun, not reuseport_imbalance: one listener, or an SO_REUSEPORT group whose
 * listeners are all full, overflows without any imbalance; a group with a full listener beside an
 * idle one is reuseport_imbalance's finding and is left to it.
 */
public final class ListenQueueOverflowCheck implements Check {

    @Override
    public Footgun footgun() {
        return Footgun.LISTEN_QUEUE_OVERFLOW;
    }

    @Override
    public Finding judge(Observation o) {
        OptionalLong somaxconn = ListenerGroups.somaxconn(o);
        ListenerGroups listeners = o.listenerGroups();
        if (listeners == null) {
            return Finding.unknown(footgun(), ListenerGroups.unread(o), fix(null, somaxconn));
        }
        ListenerGroups.Group named = null;
        boolean anyImbalanced = false;
        for (ListenerGroups.Group g : listeners.groups()) {
            boolean imbalanced = g.imbalanced();
            anyImbalanced |= imbalanced;
            if (g.anyFull() && !imbalanced) {
                named = named == null || g.fill() > named.fill() ? g : named;
            }
        }
        // the next connection to arrive at a full queue is dropped
        double risk = named != null ? Status.WARN_AT : 0;
        ListenerGroups.Overflows overflows = ListenerGroups.Overflows.of(o);
        ListenerGroups.Group fullest = null;
        boolean imbalancedOnly = false;
        if (overflows.rising()) {
            fullest = named != null ? named : listeners.fullestBalanced();
            imbalancedOnly = fullest == null && anyImbalanced;
            if (!imbalancedOnly) {
                // drops measured; with a queue full right now they are still happening
                risk = named != null ? Status.CRITICAL_AT : Status.WARN_AT;
            }
        }
        ListenerGroups.Group shown = overflows.rising() && !imbalancedOnly ? fullest : named;
        ListenerGroups.Group fullestNow = fullest;
        boolean elsewhere = imbalancedOnly;
        return Finding.of(footgun(), risk, false, Finding.Explanation.later(() -> Finding.Explanation.of(
                evidence(listeners, somaxconn, overflows, fullestNow, elsewhere), fix(shown, somaxconn))));
    }

    /** @param imbalancedOnly the only full queue is in an SO_REUSEPORT group out of balance */
    private static List<Prose> evidence(ListenerGroups listeners, OptionalLong somaxconn, ListenerGroups.Overflows overflows,
            ListenerGroups.Group fullest, boolean imbalancedOnly) {
        List<Prose> evidence = new ArrayList<>();
        evidence.add(Prose.format("%d listening sockets on %d addresses%s", listeners.listenerCount(),
                listeners.groups().size(), ListenerGroups.somaxconnNote(somaxconn)));
        for (ListenerGroups.Group g : listeners.groups()) {
            if (g.anyFull() && !g.imbalanced()) {
                evidence.add(Prose.format("%s: accept queue%s full (%s queued/backlog): the server is not accepting fast enough",
                        g.named(), g.reuseport() ? "s" : "", g.queues()));
            }
        }
        if (overflows.rising()) {
            evidence.add(Prose.of(overflows.text() + ": connections were dropped at a full accept queue",
                    fullest != null ? Prose.of(" (fullest now: ", fullest.named(), ", " + fullest.queues() + ")")
                            : imbalancedOnly ? " (the full one now is in an SO_REUSEPORT group out of balance: see reuseport_imbalance)" : ""));
        }
        return evidence;
    }

    private static Prose fix(ListenerGroups.Group named, OptionalLong somaxconn) {
        long target = Math.max(KernelFacts.DEFAULT_SOMAXCONN, somaxconn.orElse(0) * 2);
        Object where = named == null ? "the full listener" : named.address();
        return Prose.of("Accept faster on ", where, " (more workers or threads, no blocking work in the accept loop; a server that "
                + "stopped accepting should close its listening socket). Give it a backlog that absorbs bursts: listen(fd, "
                + target + ") with sysctl -w net.core.somaxconn=" + target
                + (somaxconn.isPresent() ? " (now " + somaxconn.getAsLong() + ")" : "") + ". Watch TcpExt ListenOverflows.");
    }
}

package dev.tcpfootgun.metrics;

import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accept-queue fill per listening address, so an alert can name the listener that drops
 * connections. The fullest listener of an address counts (an SO_REUSEPORT group overflows through
 * its fullest member); the top K addresses by fill, no "other": a fill ratio does not sum.
 */
final class ListenerFamilies {

    /** Fullest first, then by address and port: one comparison, not a chain of lambdas through Double and Integer boxes. */
    private static int fullestFirst(Map.Entry<Endpoint, Double> a, Map.Entry<Endpoint, Double> b) {
        int c = Double.compare(b.getValue(), a.getValue());
        if (c == 0) {
            c = a.getKey().ip().compareTo(b.getKey().ip());
        }
        return c != 0 ? c : Integer.compare(a.getKey().port(), b.getKey().port());
    }

    private ListenerFamilies() {}

    static void render(Families f, List<TcpSocket> open, Sysctls sysctls, int top, DestinationLabels labels) {
        // /proc/net/tcp has no backlog: somaxconn, the cap of every backlog, stands in (as the check does)
        long somaxconn = sysctls == null ? -1 : sysctls.number("net.core.somaxconn").orElse(-1);
        Map<Endpoint, Double> fill = new LinkedHashMap<>();
        for (TcpSocket s : open) {
            if (s.state() != TcpState.LISTEN) {
                continue;
            }
            long backlog = s.txQueue() > 0 ? s.txQueue() : somaxconn;
            double ratio = backlog > 0 ? (double) s.rxQueue() / backlog : s.rxQueue() > 0 ? 1 : 0;
            fill.merge(s.local(), ratio, Math::max);
        }
        List<Map.Entry<Endpoint, Double>> ranked = topOf(fill, top);
        var g = f.gauge("footgun_listen_queue_fill_ratio",
                "Accept queue / backlog of the fullest listener on each listening address (1: full, new connections dropped); "
                        + "the top addresses by fill.");
        for (int i = 0; i < ranked.size(); i++) {
            Endpoint e = ranked.get(i).getKey();
            g.set(ranked.get(i).getValue(), "listen_ip", labels.address(e.ip()), "listen_port", Integer.toString(e.port()));
        }
        g.add();
    }

    /**
     * The first {@code k} listening addresses, fullest first: each kept in order into a list of at
     * most {@code k}, not every address sorted (addresses are distinct, so the order is total).
     */
    static List<Map.Entry<Endpoint, Double>> topOf(Map<Endpoint, Double> fill, int k) {
        List<Map.Entry<Endpoint, Double>> best = new ArrayList<>(Math.min(k, fill.size()));
        if (k <= 0) {
            return best;
        }
        for (Map.Entry<Endpoint, Double> e : fill.entrySet()) {
            int n = best.size();
            if (n == k) {
                if (fullestFirst(e, best.get(n - 1)) >= 0) {
                    continue;
                }
                best.remove(n - 1);
                n--;
            }
            int at = n;
            while (at > 0 && fullestFirst(e, best.get(at - 1)) < 0) {
                at--;
            }
            best.add(at, e);
        }
        return best;
    }
}

package dev.tcpfootgun.metrics;

import static dev.tcpfootgun.metrics.Rendered.listener;
import static dev.tcpfootgun.metrics.Rendered.ok;
import static dev.tcpfootgun.metrics.Rendered.socket;
import static dev.tcpfootgun.metrics.Rendered.sockets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.TcpState;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ListenerFamilies: accept-queue fill per listening address, the top {@link Rendered#TOP} by fill. */
class ListenerFamiliesTest {

    static final String FILL = "footgun_listen_queue_fill_ratio";
    static final Reading<Sysctls> SOMAXCONN = ok("sysctl", new Sysctls(Map.of("net.core.somaxconn", "4096")));

    @Test
    void theFullestListenerOfEachAddressTheTopAddressesByFill() {
        Rendered r = Rendered.of(SOMAXCONN, sockets(
                listener("0.0.0.0", 22, 0, 128),
                // an SO_REUSEPORT group: its fullest member counts
                listener("10.0.0.5", 443, 3, 4096), listener("10.0.0.5", 443, 1024, 4096),
                listener("10.0.0.5", 8080, 5, 10),
                // /proc/net/tcp gives no backlog (tx 0): somaxconn stands in
                listener("127.0.0.1", 9000, 2048, 0),
                socket(TcpState.ESTABLISHED, "10.0.0.5", 8080, "10.0.0.7", 50000, null)));
        // 8080 and 9000 tie at 0.5 and are shown; 443 (0.25) and 22 (0) are below the cut, with no "other": a ratio does not sum
        assertThat(r.gauge(FILL)).containsExactly(
                entry("listen_ip=\"10.0.0.5\",listen_port=\"8080\"", 0.5),
                entry("listen_ip=\"127.0.0.1\",listen_port=\"9000\"", 0.5));
        assertThat(r.family(FILL, io.prometheus.metrics.model.snapshots.GaugeSnapshot.class).getMetadata().getUnit().toString())
                .isEqualTo("ratio");
    }

    @Test
    void aReuseportGroupsFullestMemberIsItsFill() {
        Rendered r = Rendered.of(SOMAXCONN, sockets(listener("10.0.0.5", 443, 3, 4096), listener("10.0.0.5", 443, 1024, 4096)));
        assertThat(r.gauge(FILL)).containsExactly(entry("listen_ip=\"10.0.0.5\",listen_port=\"443\"", 0.25));
    }

    @Test
    void noListenerOrNoSocketsNoFamily() {
        assertThat(Rendered.of(SOMAXCONN, sockets(socket(TcpState.ESTABLISHED, "10.0.0.5", 40000, "10.0.0.9", 80, null)))
                .has(FILL)).isFalse();
        Rendered failed = Rendered.of(SOMAXCONN, Reading.failed("sockets", "netlink refused", 0));
        assertThat(failed.has(FILL)).isFalse();
        assertThat(failed.gauge("footgun_scrape_collector_success")).containsEntry("collector=\"sockets\"", 0.0);
    }

    /** The top addresses are the ones the comparator chain it replaced picks, ties on fill and address included. */
    @Test
    void theTopAreTheFullestThenByAddressAndPortAsBefore() {
        java.util.Random random = new java.util.Random(18);
        for (int round = 0; round < 200; round++) {
            java.util.List<dev.tcpfootgun.snapshot.TcpSocket> listeners = new java.util.ArrayList<>();
            Map<dev.tcpfootgun.snapshot.Endpoint, Double> fill = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 6; i++) {
                String ip = "10.0.0." + random.nextInt(3);
                int port = 8000 + random.nextInt(3);
                long queued = random.nextInt(3);
                listeners.add(listener(ip, port, queued, 2));
                fill.merge(new dev.tcpfootgun.snapshot.Endpoint(ip, port), queued / 2.0, Math::max);
            }
            java.util.List<Map.Entry<dev.tcpfootgun.snapshot.Endpoint, Double>> ranked = new java.util.ArrayList<>(fill.entrySet());
            ranked.sort(Map.Entry.<dev.tcpfootgun.snapshot.Endpoint, Double>comparingByValue().reversed()
                    .thenComparing(e -> e.getKey().ip()).thenComparingInt(e -> e.getKey().port()));
            java.util.Set<String> expected = new java.util.TreeSet<>();
            for (var e : ranked.subList(0, Math.min(Rendered.TOP, ranked.size()))) {
                expected.add("listen_ip=\"" + e.getKey().ip() + "\",listen_port=\"" + e.getKey().port() + "\"");
            }
            Rendered r = Rendered.of(SOMAXCONN, sockets(listeners.toArray(dev.tcpfootgun.snapshot.TcpSocket[]::new)));
            assertThat(new java.util.TreeSet<>(r.gauge(FILL).keySet())).as("round " + round).isEqualTo(expected);
        }
    }

    /** topOf is the first K of the whole ranking, in its order, for every K from none to more than there are. */
    @Test
    void theTopKAreTheFirstKOfTheWholeRankingInOrder() {
        java.util.Random random = new java.util.Random(1018);
        for (int round = 0; round < 100; round++) {
            Map<dev.tcpfootgun.snapshot.Endpoint, Double> fill = new java.util.LinkedHashMap<>();
            for (int i = 0; i < 12; i++) {
                fill.put(new dev.tcpfootgun.snapshot.Endpoint("10.0." + random.nextInt(2) + "." + random.nextInt(12), 80 + random.nextInt(3)),
                        random.nextInt(4) / 4.0);
            }
            java.util.List<Map.Entry<dev.tcpfootgun.snapshot.Endpoint, Double>> ranked = new java.util.ArrayList<>(fill.entrySet());
            ranked.sort(Map.Entry.<dev.tcpfootgun.snapshot.Endpoint, Double>comparingByValue().reversed()
                    .thenComparing(e -> e.getKey().ip()).thenComparingInt(e -> e.getKey().port()));
            for (int k = 0; k <= fill.size() + 1; k++) {
                assertThat(ListenerFamilies.topOf(fill, k)).as("round " + round + ", k " + k)
                        .containsExactlyElementsOf(ranked.subList(0, Math.min(k, ranked.size())));
            }
        }
    }
}

package dev.tcpfootgun.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Observation;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.NamespaceAssessment;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.SocketOrigin;
import dev.tcpfootgun.snapshot.SocketTable;
import dev.tcpfootgun.snapshot.TcpInfo;
import dev.tcpfootgun.snapshot.TcpSocket;
import dev.tcpfootgun.snapshot.TcpState;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One render of a hand-built assessment, for the renderer's unit tests: families by their exposed
 * name (counters without _total, infos without _info), data points keyed by their labels written
 * {@code a="x",b="y"} in label-name order ("" for none).
 */
final class Rendered {
    static final int TOP = 2;
    static final int NETNS_TOP = 2;

    private final Map<String, MetricSnapshot> byName = new LinkedHashMap<>();

    private Rendered(MetricSnapshots snapshots) {
        for (MetricSnapshot m : snapshots) {
            assertThat(byName.put(m.getMetadata().getPrometheusName(), m)).as("family rendered twice").isNull();
        }
    }

    /** What a renderer of the caller's made. */
    static Rendered of(MetricSnapshots snapshots) {
        return new Rendered(snapshots);
    }

    /** The node's own namespace only, destinations top {@link #TOP}, no findings. */
    static Rendered of(Reading<?>... readings) {
        return of(assessment(readings));
    }

    static Rendered of(Assessment a) {
        return of(a, NETNS_TOP);
    }

    /** @param netnsTop namespaces with their own series (--netns.top) */
    static Rendered of(Assessment a, int netnsTop) {
        return new Rendered(new MetricsRenderer("test", netnsTop, TOP, DestinationLabels.of(DestinationLabelMode.PLAIN),
                Pattern.compile(Settings.DEFAULT_IGNORED_DEVICES)).render(a));
    }

    static Assessment assessment(Reading<?>... readings) {
        return assessment(List.of(), List.of(), readings);
    }

    static Assessment assessment(List<Finding> findings, List<NamespaceAssessment> namespaces, Reading<?>... readings) {
        return new Assessment(observation(readings), findings, Map.of("sockets", 0L), namespaces, 3);
    }

    static Observation observation(Reading<?>... readings) {
        return new Observation(NodeSnapshot.of(0, List.of(readings)), null);
    }

    static <T> Reading<T> ok(String collector, T value) {
        return Reading.ok(collector, value, 0.25, 0);
    }

    /** A sock_diag socket table of these sockets. */
    static Reading<SocketTable> sockets(TcpSocket... sockets) {
        SocketTable.Builder b = new SocketTable.Builder(0, 0, SocketTable.UNLIMITED);
        for (TcpSocket s : sockets) {
            b.add(s);
        }
        return ok("sockets", b.build().servedBy(SocketOrigin.NETLINK));
    }

    static TcpSocket socket(TcpState state, String localIp, int localPort, String remoteIp, int remotePort, TcpInfo info) {
        return new TcpSocket(localIp.contains(":") ? Family.INET6 : Family.INET, state, new Endpoint(localIp, localPort),
                new Endpoint(remoteIp, remotePort), 0, 0, 0, 0, 0, info, info == null ? null : "cubic", null);
    }

    /** A listener: the kernel reports its backlog as the tx queue and its accept queue as rx. */
    static TcpSocket listener(String ip, int port, long queued, long backlog) {
        return new TcpSocket(ip.contains(":") ? Family.INET6 : Family.INET, TcpState.LISTEN, new Endpoint(ip, port),
                new Endpoint(ip.contains(":") ? "::" : "0.0.0.0", 0), backlog, queued, 0, 0, 0, null, null, null);
    }

    /**
     * A tcp_info of {@code size} bytes (fields past it -1, as the decoder leaves them) with the fields
     * the renderer reads set, every other 0.
     */
    static TcpInfo tcpInfo(int size, long rttMicros, long minRttMicros, long cwnd, long deliveryRate, long totalRetrans,
            long segsOut, long busyMicros, long rwndLimitedMicros, long sndbufLimitedMicros) {
        boolean v46 = size >= TcpInfo.SIZE_4_6;
        boolean v49 = size >= TcpInfo.SIZE_4_9;
        boolean v410 = size >= TcpInfo.SIZE_4_10;
        return new TcpInfo(size, 0, 0, 1448, 0, 1500, rttMicros, rttMicros / 2, cwnd, 1448, 14480, totalRetrans, 0, segsOut,
                v46 ? 0 : -1, v46 ? minRttMicros : -1, v46 ? segsOut : -1,
                v49 ? deliveryRate : -1, v410 ? busyMicros : -1, v410 ? rwndLimitedMicros : -1, v410 ? sndbufLimitedMicros : -1,
                size >= 208 ? 0 : -1, size >= 216 ? 0 : -1, size >= TcpInfo.SIZE_5_4 ? 0 : -1);
    }

    Set<String> names() {
        return byName.keySet();
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The family, asserting it was rendered with this snapshot type. */
    <S extends MetricSnapshot> S family(String name, Class<S> type) {
        assertThat(byName).as("families rendered").containsKey(name);
        assertThat(byName.get(name)).as(name).isInstanceOf(type);
        return type.cast(byName.get(name));
    }

    /** A gauge's or counter's values by labels. */
    Map<String, Double> values(String name) {
        MetricSnapshot m = byName.get(name);
        assertThat(m).as(name + " rendered").isNotNull();
        Map<String, Double> out = new TreeMap<>();
        for (DataPointSnapshot p : m.getDataPoints()) {
            double v = switch (p) {
                case GaugeSnapshot.GaugeDataPointSnapshot g -> g.getValue();
                case CounterSnapshot.CounterDataPointSnapshot c -> c.getValue();
                default -> throw new AssertionError(name + " is neither a gauge nor a counter");
            };
            assertThat(out.put(labels(p.getLabels()), v)).as(name + " series twice").isNull();
        }
        return out;
    }

    /** A gauge's values by labels, asserting it is a gauge. */
    Map<String, Double> gauge(String name) {
        family(name, GaugeSnapshot.class);
        return values(name);
    }

    /** A counter's values by labels, asserting it is a counter. */
    Map<String, Double> counter(String name) {
        family(name, CounterSnapshot.class);
        return values(name);
    }

    /** An info family's series, each its labels; {@code name} without the _info the exposition adds. */
    List<String> info(String name) {
        return family(name, io.prometheus.metrics.model.snapshots.InfoSnapshot.class).getDataPoints().stream()
                .map(p -> labels(p.getLabels())).sorted().toList();
    }

    static String labels(Labels labels) {
        return labels.stream().map(l -> l.getName() + "=\"" + l.getValue() + "\"").collect(Collectors.joining(","));
    }

    /** Families whose names start with {@code prefix}. */
    List<String> namesStartingWith(String prefix) {
        return byName.keySet().stream().filter(n -> n.startsWith(prefix)).sorted().toList();
    }
}

package dev.tcpfootgun.source;

import dev.tcpfootgun.snapshot.Conntrack;
import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.KernelCounters;
import dev.tcpfootgun.snapshot.NetInterface;
import dev.tcpfootgun.snapshot.NodeSnapshot;
import dev.tcpfootgun.snapshot.Qdisc;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.snapshot.Sockstat;
import dev.tcpfootgun.snapshot.Sysctls;
import dev.tcpfootgun.snapshot.SocketTable;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads every source of one network namespace into a snapshot. A source that fails costs its own
 * reading; nothing it throws escapes.
 *
 * @param sockets sources of the socket list in order of preference; the first that answers serves
 * @param conntrackEntries the conntrack dump; null when its collector is off
 */
public record NodeReader(
        List<SocketSource> sockets,
        Source<Conntrack> conntrack,
        Source<KernelCounters> netstat,
        Source<KernelCounters> snmp,
        Source<Sockstat> sockstat,
        Source<Sysctls> sysctls,
        Source<List<NetInterface>> interfaces,
        Source<List<Qdisc>> qdiscs,
        Source<ConntrackEntries> conntrackEntries) implements Supplier<NodeSnapshot> {

    /** A reader without the conntrack dump. */
    public NodeReader(List<SocketSource> sockets, Source<Conntrack> conntrack, Source<KernelCounters> netstat,
            Source<KernelCounters> snmp, Source<Sockstat> sockstat, Source<Sysctls> sysctls,
            Source<List<NetInterface>> interfaces, Source<List<Qdisc>> qdiscs) {
        this(sockets, conntrack, netstat, snmp, sockstat, sysctls, interfaces, qdiscs, null);
    }

    /** A source of the socket list and its footgun_socket_source_info label ("netlink", "procfs"). */
    public record SocketSource(String name, Source<SocketTable> source) {}

    /** The socket list and the name of the source that served it (null when none did). */
    public record SocketReading(Reading<SocketTable> reading, String servedBy) {}

    @Override
    public NodeSnapshot get() {
        long start = System.nanoTime();
        long epoch = System.currentTimeMillis();
        SocketReading s = readSockets();
        return new NodeSnapshot(start, epoch, s.reading(), s.servedBy(), read(conntrack), read(netstat), read(snmp),
                read(sockstat), read(sysctls), read(interfaces), read(qdiscs),
                conntrackEntries == null ? null : read(conntrackEntries));
    }

    /** Tries the socket sources in order of preference; the first that answers serves. */
    public SocketReading readSockets() {
        Reading<SocketTable> socketReading = null;
        String servedBy = null;
        StringBuilder refusals = new StringBuilder();
        for (SocketSource candidate : sockets) {
            socketReading = read(candidate.source());
            if (socketReading.success()) {
                servedBy = candidate.name();
                break;
            }
            refusals.append(refusals.isEmpty() ? "" : "; ").append(candidate.name()).append(": ").append(socketReading.error());
        }
        if (socketReading != null && !socketReading.success()) {
            socketReading = Reading.failed("sockets", refusals.toString(), socketReading.seconds());
        }
        if (socketReading == null) {
            socketReading = Reading.failed("sockets", "no socket source configured", 0);
        }
        return new SocketReading(socketReading, servedBy);
    }

    /** Runs one source, timing it and turning any failure into a failed reading with its reason. */
    public static <T> Reading<T> read(Source<T> source) {
        long t0 = System.nanoTime();
        ParseLog log = new ParseLog();
        try {
            T value = source.read(log);
            return Reading.ok(source.collector(), value, (System.nanoTime() - t0) / 1e9, log.skipped());
        } catch (IOException | RuntimeException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return Reading.failed(source.collector(), reason, (System.nanoTime() - t0) / 1e9);
        } catch (StackOverflowError | OutOfMemoryError e) {
            // a pathological input must cost its source, not the process
            return Reading.failed(source.collector(), e.getClass().getSimpleName(), (System.nanoTime() - t0) / 1e9);
        }
    }
}

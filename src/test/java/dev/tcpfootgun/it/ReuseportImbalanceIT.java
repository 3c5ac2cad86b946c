package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Seed section 11 for real: four SO_REUSEPORT listeners share one port with a backlog of 4; one never
 * calls accept(). The kernel still hashes a quarter of new connections to it, its accept queue fills,
 * and the SYNs that land there are dropped: TcpExt ListenOverflows rises and the check names the port
 * at critical (1 while the overflows rise, with one queue full and its peers idle).
 */
class ReuseportImbalanceIT {

    static final int LISTENERS = 4;
    static final int BACKLOG = 4;
    static final int CLIENTS = 64;

    @Test
    void aListenerThatNeverAcceptsOverflowsWhileItsPeersIdle() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        List<ServerSocketChannel> listeners = new ArrayList<>();
        List<SocketChannel> channels = new ArrayList<>();
        try (NetNs ns = NetNs.create("fg-reuseport");
                ExporterProcess exporter = ExporterProcess.start(ns, Scrapes.flags())) {
            int port = ns.call(() -> {
                int p = 0;
                for (int i = 0; i < LISTENERS; i++) {
                    ServerSocketChannel l = ServerSocketChannel.open();
                    l.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                    l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), BACKLOG);
                    p = ((InetSocketAddress) l.getLocalAddress()).getPort();
                    listeners.add(l);
                }
                return p;
            });
            // listeners 1..3 accept; listener 0 is the stuck worker
            for (ServerSocketChannel l : listeners.subList(1, LISTENERS)) {
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        while (true) {
                            SocketChannel c = l.accept();
                            synchronized (channels) {
                                channels.add(c);
                            }
                        }
                    } catch (IOException e) {
                        // closed by the test
                    }
                });
            }
            MetricsText before = Scrapes.metrics(ns);
            double overflowsBefore = before.get("footgun_tcpext_listen_overflows_total").orElseThrow();

            ns.call(() -> {
                for (int i = 0; i < CLIENTS; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false); // a SYN dropped at the full queue must not block the test
                    c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    synchronized (channels) {
                        channels.add(c);
                    }
                }
                return null;
            });
            // the accepting listeners drain their queues; the stuck one stays full
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (acceptedCount(channels) < CLIENTS / 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Thread.sleep(200);

            // the first read after the load sees the overflows against the read before it
            String finding = Scrapes.finding(ns, "reuseport_imbalance");
            assertThat(finding).contains("\"status\": \"critical\", \"risk\": 1.0000")
                    .contains("127.0.0.1:" + port + ": " + LISTENERS + " SO_REUSEPORT listeners")
                    .contains("one is full while").contains("TcpExt ListenOverflows rose by")
                    .contains("On 127.0.0.1:" + port + " the worker that owns the full listener").contains("net.core.somaxconn=");
            MetricsText after = Scrapes.metrics(ns);
            assertThat(after.get("footgun_tcpext_listen_overflows_total").orElseThrow()).isGreaterThan(overflowsBefore);
            // still critical on the next read: the queue is still full and its peers idle
            assertThat(Scrapes.risk(after, "reuseport_imbalance")).isGreaterThanOrEqualTo(0.8);
            assertThat(after.get("footgun_finding_status", "footgun", "reuseport_imbalance", "footgun_finding_status", "critical")).hasValue(1);
        } finally {
            synchronized (channels) {
                for (SocketChannel c : channels) {
                    c.close();
                }
            }
            for (ServerSocketChannel l : listeners) {
                l.close();
            }
        }
    }

    /**
     * A lone listener (no SO_REUSEPORT) that never accepts overflows too: that is listen_queue_overflow's finding,
     * naming the listener as a single one, and reuseport_imbalance claims nothing.
     */
    @Test
    void aStandaloneListenerThatNeverAcceptsIsNamedAsSuchNotAsAnSoReuseportProblem() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        List<SocketChannel> clients = new ArrayList<>();
        ServerSocketChannel[] listener = new ServerSocketChannel[1];
        try (NetNs ns = NetNs.create("pred-lq");
                ExporterProcess exporter = ExporterProcess.start(ns, Scrapes.flags())) {
            int port = ns.call(() -> {
                listener[0] = ServerSocketChannel.open();
                listener[0].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), BACKLOG);
                return ((InetSocketAddress) listener[0].getLocalAddress()).getPort();
            });
            Scrapes.metrics(ns); // the read the overflows are counted against
            ns.call(() -> {
                for (int i = 0; i < 16; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    clients.add(c);
                }
                return null;
            });
            Thread.sleep(300);

            String overflow = Scrapes.finding(ns, "listen_queue_overflow");
            assertThat(overflow).contains("\"status\": \"critical\"")
                    .contains("127.0.0.1:" + port + ", a single listener (in no SO_REUSEPORT group): accept queue full")
                    .contains("TcpExt ListenOverflows rose by")
                    .contains("Accept faster on 127.0.0.1:" + port);
            String reuseport = Scrapes.finding(ns, "reuseport_imbalance");
            assertThat(reuseport).contains("\"status\": \"ok\"").doesNotContain("127.0.0.1:" + port + ":");
            MetricsText m = Scrapes.metrics(ns);
            assertThat(Scrapes.risk(m, "reuseport_imbalance")).isZero();
            assertThat(Scrapes.risk(m, "listen_queue_overflow")).isGreaterThanOrEqualTo(0.5);
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            if (listener[0] != null) {
                listener[0].close();
            }
        }
    }

    /** Connections the accepting listeners took (client channels are non-blocking, accepted ones blocking). */
    private static int acceptedCount(List<SocketChannel> channels) {
        synchronized (channels) {
            return (int) channels.stream().filter(SocketChannel::isBlocking).count();
        }
    }
}

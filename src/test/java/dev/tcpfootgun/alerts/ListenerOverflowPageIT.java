package dev.tcpfootgun.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.alerts.AlertRulesTest.MiniJson;
import dev.tcpfootgun.testing.NetNs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One harm, one page, for a listener: a server on 127.0.0.1:8081 with a backlog of 1 that never
 * calls accept(), and clients that keep connecting, so its accept queue is full and the kernel
 * drops their handshakes (TcpExt ListenOverflows rises). Through the shipped rules (every
 * {@code for:} cut) and the example Alertmanager, exactly one notification reaches the pager, and
 * it names the listener; the footgun's warning does not page.
 */
class ListenerOverflowPageIT {

    static final int PORT = 8081;

    @TempDir
    Path tmp;

    /** One client connect(); kept when the handshake completes, closed when the dropped SYN times it out. */
    private static void attempt(NetNs ns, List<Socket> clients) throws Exception {
        ns.call(() -> {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 300);
                clients.add(s);
            } catch (SocketTimeoutException dropped) {
                s.close();
            }
            return null;
        });
    }

    @Test
    void anOverflowingListenerPagesOnceNamingTheListener() throws Exception {
        AlertStack.assumeAvailable();
        try (NetNs ns = NetNs.create("fg-listen")) {
            ServerSocket stuck = ns.call(() -> new ServerSocket(PORT, 1, InetAddress.getLoopbackAddress()));
            List<Socket> clients = new ArrayList<>();
            try (AlertStack stack = AlertStack.start(ns, tmp)) {
                stack.await(Duration.ofSeconds(30), "the exporter scraped", () ->
                        stack.vector("footgun_tcpext_listen_overflows_total").isEmpty() ? null : Boolean.TRUE);
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                AlertStack.Delivery page = null;
                while (page == null && System.nanoTime() < deadline) {
                    // a connection attempt a second: once the queue is full the kernel drops its SYN
                    // (or handshake ACK) and counts ListenOverflows
                    attempt(ns, clients);
                    Thread.sleep(1_000);
                    page = stack.pages().stream().findFirst().orElse(null);
                }
                assertThat(page).as("a page for the overflowing listener" + stack.logs()).isNotNull();
                // keep the harm going for a few more cycles: it must stay one page
                for (int i = 0; i < 5; i++) {
                    attempt(ns, clients);
                    Thread.sleep(1_000);
                }
                assertThat(stack.pages()).as("notifications to the pager").hasSize(1);
                Map<String, Object> payload = AlertRulesTest.map(MiniJson.parse(page.body()));
                assertThat(payload).containsEntry("receiver", "footgun-pager").containsEntry("status", "firing");
                List<Object> alerts = AlertRulesTest.list(payload.get("alerts"));
                assertThat(alerts).hasSize(1);
                Map<String, Object> labels = AlertRulesTest.map(AlertRulesTest.map(alerts.getFirst()).get("labels"));
                assertThat(labels).containsEntry("alertname", "FootgunListenQueueOverflowing")
                        .containsEntry("severity", "critical").containsEntry("footgun", "listen_queue_overflow")
                        .containsEntry("listen_ip", "127.0.0.1").containsEntry("listen_port", Integer.toString(PORT));
                assertThat((String) AlertRulesTest.map(AlertRulesTest.map(alerts.getFirst()).get("annotations")).get("summary"))
                        .isEqualTo("Listener 127.0.0.1:" + PORT + " on " + AlertStack.INSTANCE + " is dropping connections");
            } finally {
                ns.call(() -> {
                    for (Socket s : clients) {
                        s.close();
                    }
                    stuck.close();
                    return null;
                });
            }
        }
    }
}

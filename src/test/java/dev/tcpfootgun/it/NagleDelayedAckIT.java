package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.MetricsText;
import dev.tcpfootgun.testing.NetNs;
import dev.tcpfootgun.testing.TestServer;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seed sections 4 and 5 for real: a client that writes a 100-byte header and a 100-byte body
 * without TCP_NODELAY, then reads the reply, waits for the server's delayed ACK on every request.
 * The test measures that stall itself (so it proves the kernel behaviour the check relies on), then
 * asks the exporter in the same namespace while the client runs: the check must see the body held
 * back and flag it. Its look-alikes, whose RTT sits in the same band with nothing held back, must not
 * be flagged: a TCP_NODELAY client whose server thinks 35 ms, a TCP_NODELAY client pausing 35 ms
 * between requests, and a keep-alive HTTP client scraping every 5 s.
 */
class NagleDelayedAckIT {

    static final int HEADER = 100;
    static final int BODY = 100;
    static final int REQUEST = 50;
    static final int THINK_MILLIS = 35;

    @Test
    void writeWriteReadWithoutNodelayIsFlagged() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("pred-nagle");
                ExporterProcess exporter = ExporterProcess.start(ns, Scrapes.flags())) {
            TestServer server = ns.call(NagleDelayedAckIT::replyServer);
            Client nagle = ns.call(() -> Client.connect(server.port(), false));
            try {
                String dest = "127.0.0.1:" + server.port();
                Scrapes.metrics(ns); // the previous read, for the DelayedACKs rate
                double median = nagle.medianMillis(60);
                assertThat(median).as("median ms per request without TCP_NODELAY").isGreaterThanOrEqualTo(30);
                // the check sees the body held back only while the client runs: it is stalled almost all the time
                Thread loop = Thread.ofPlatform().daemon().start(() -> nagle.runUntilClosed());
                Thread.sleep(500);
                String finding = null;
                // a read catches the client between a reply and its next write about once in 400 requests; a second read settles it
                for (int attempt = 0; attempt < 2 && (finding == null || !finding.contains(dest + ": 1 connection")); attempt++) {
                    finding = Scrapes.finding(ns, "nagle_delayed_ack");
                }
                assertThat(finding).contains(dest + ": 1 connection on a ").contains("bytes written but unsent behind")
                        .contains("delayed-ACK band").contains("TCP_NODELAY on the sockets that connect to " + dest);
                // /metrics is a read of its own, which can catch the client between a reply and its next write too
                double risk = 0;
                for (int attempt = 0; attempt < 2 && risk < Status.WARN_AT; attempt++) {
                    risk = Scrapes.risk(Scrapes.metrics(ns), "nagle_delayed_ack");
                }
                assertThat(risk).isGreaterThanOrEqualTo(Status.WARN_AT);
                nagle.close();
                loop.join(5000);
            } finally {
                nagle.close();
                server.close();
            }
        }
    }

    @Test
    void slowPeersPausesAndAKeepAliveScraperInTheSameRttBandAreNot() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("pred-nolook");
                ExporterProcess exporter = ExporterProcess.start(ns, Scrapes.flags())) {
            TestServer thinking = ns.call(() -> requestServer(THINK_MILLIS));
            TestServer quick = ns.call(() -> requestServer(0));
            Socket slowPeer = ns.call(() -> nodelayClient(thinking.port()));
            Socket pausing = ns.call(() -> nodelayClient(quick.port()));
            HttpClient scraper = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Thread> loops = new ArrayList<>();
            try {
                Scrapes.metrics(ns); // the previous read, for the DelayedACKs rate
                loops.add(Thread.ofPlatform().daemon().start(() -> requests(slowPeer, 0)));
                loops.add(Thread.ofPlatform().daemon().start(() -> requests(pausing, THINK_MILLIS)));
                // the keep-alive scraper runs inside the namespace: its connection is made there
                loops.add(Thread.ofPlatform().daemon().start(() -> {
                    try {
                        ns.call(() -> {
                            for (int i = 0; i < 3 && !slowPeer.isClosed(); i++) {
                                scraper.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Scrapes.PORT + "/metrics")).build(),
                                        HttpResponse.BodyHandlers.discarding());
                                Thread.sleep(5000);
                            }
                            return null;
                        });
                    } catch (Exception e) {
                        // the test ended first
                    }
                }));
                Thread.sleep(6000); // the scraper has scraped twice on one connection; the others have settled in the band
                String finding = Scrapes.finding(ns, "nagle_delayed_ack");
                MetricsText m = Scrapes.metrics(ns);
                assertThat(Scrapes.risk(m, "nagle_delayed_ack")).as(finding).isLessThan(Status.WARN_AT);
                assertThat(finding).doesNotContain("127.0.0.1:" + thinking.port() + ":").doesNotContain("127.0.0.1:" + quick.port() + ":")
                        .doesNotContain(":" + Scrapes.PORT + ":").contains("0 of ");
                // the look-alikes really stall in the delayed-ACK band: RTT alone would have flagged them
                assertThat(finding).containsPattern("[2-9] more sockets stall in that band with nothing held back");
            } finally {
                slowPeer.close();
                pausing.close();
                for (Thread t : loops) {
                    t.join(6000);
                }
                thinking.close();
                quick.close();
            }
        }
    }

    static Socket nodelayClient(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    /** One write of a request, then the reply, then a pause; until the socket is closed. */
    static void requests(Socket s, int pauseMillis) {
        try {
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] reply = new byte[REPLY];
            while (!s.isClosed()) {
                out.write(new byte[REQUEST]);
                in.readFully(reply);
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            }
        } catch (IOException | InterruptedException e) {
            // closed by the test
        }
    }

    /** Answers each one-write request after {@code thinkMillis}, with TCP_NODELAY. */
    static TestServer requestServer(int thinkMillis) throws IOException {
        return TestServer.start(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), (c, received) -> {
            c.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            byte[] request = new byte[REQUEST];
            try {
                while (true) {
                    in.readFully(request);
                    if (thinkMillis > 0) {
                        Thread.sleep(thinkMillis);
                    }
                    out.write(new byte[REPLY]);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A client doing write(header), write(body), read(reply) per request. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;

        private Client(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = new DataInputStream(socket.getInputStream());
        }

        static Client connect(int port, boolean nodelay) throws IOException {
            Socket s = new Socket();
            s.setTcpNoDelay(nodelay);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return new Client(s);
        }

        /** Requests back to back until the socket is closed. */
        void runUntilClosed() {
            try {
                while (!socket.isClosed()) {
                    medianMillis(1);
                }
            } catch (IOException e) {
                // closed by the test
            }
        }

        double medianMillis(int requests) throws IOException {
            byte[] header = new byte[HEADER];
            byte[] body = new byte[BODY];
            byte[] reply = new byte[REPLY];
            double[] ms = new double[requests];
            for (int i = 0; i < requests; i++) {
                long t0 = System.nanoTime();
                out.write(header);
                out.write(body);
                in.readFully(reply);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(ms);
            return ms[requests / 2];
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static final int REPLY = 10;

    /** Answers each request only once both its header and its body have arrived. */
    static TestServer replyServer() throws IOException {
        return TestServer.start(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), (c, received) -> {
            DataInputStream in = new DataInputStream(c.getInputStream());
            OutputStream out = c.getOutputStream();
            byte[] header = new byte[HEADER];
            byte[] body = new byte[BODY];
            while (true) {
                in.readFully(header);
                in.readFully(body);
                out.write(new byte[REPLY]);
            }
        });
    }
}

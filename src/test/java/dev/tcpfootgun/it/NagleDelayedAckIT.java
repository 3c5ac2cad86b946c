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
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Seed sections 4 and 5 for real: a client that writes a 100-byte header and a 100-byte body
 * without TCP_NODELAY, then reads the reply, waits for the server's delayed ACK on every request.
 * The test measures that stall itself (so it proves the kernel behaviour the check relies on), then
 * asks the exporter in the same namespace; the same client with TCP_NODELAY must not be flagged.
 */
class NagleDelayedAckIT {

    static final int HEADER = 100;
    static final int BODY = 100;

    @Test
    void writeWriteReadWithoutNodelayIsFlaggedAndWithNodelayIsNot() throws Exception {
        String why = NetNs.unavailableReason();
        assumeTrue(why == null, why);
        try (NetNs ns = NetNs.create("fg-nagle");
                ExporterProcess exporter = ExporterProcess.start(ns, Scrapes.flags())) {
            TestServer server = ns.call(NagleDelayedAckIT::replyServer);
            try {
                String dest = "127.0.0.1:" + server.port();
                Scrapes.metrics(ns); // the previous read, for the DelayedACKs rate

                Client nagle = ns.call(() -> Client.connect(server.port(), false));
                try {
                    double median = ns.call(() -> nagle.medianMillis(60));
                    assertThat(median).as("median ms per request without TCP_NODELAY").isGreaterThanOrEqualTo(30);
                    MetricsText m = Scrapes.metrics(ns);
                    assertThat(Scrapes.risk(m, "nagle_delayed_ack")).isGreaterThanOrEqualTo(Status.WARN_AT);
                    String finding = Scrapes.finding(ns, "nagle_delayed_ack");
                    assertThat(finding).contains(dest + ": 1 connection on a ").contains("delayed-ACK band")
                            .contains("sends 100 bytes per segment").contains("TCP_NODELAY on the sockets that connect to " + dest);
                } finally {
                    nagle.close();
                }

                Client nodelay = ns.call(() -> Client.connect(server.port(), true));
                try {
                    double median = ns.call(() -> nodelay.medianMillis(500));
                    assertThat(median).as("median ms per request with TCP_NODELAY").isLessThan(5);
                    MetricsText m = Scrapes.metrics(ns);
                    assertThat(Scrapes.risk(m, "nagle_delayed_ack")).isLessThan(Status.WARN_AT);
                    assertThat(Scrapes.finding(ns, "nagle_delayed_ack")).doesNotContain(dest + ":");
                } finally {
                    nodelay.close();
                }
            } finally {
                server.close();
            }
        }
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

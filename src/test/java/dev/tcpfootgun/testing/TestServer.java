package dev.tcpfootgun.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server for socket tests: accepts on a listener, runs a handler per connection on a virtual
 * thread, and on close shuts the listener and every accepted socket. Created from a thread inside a
 * namespace ({@link NetNs#call}) the listener lives there.
 */
public final class TestServer implements AutoCloseable {

    /** What the server does with one accepted connection; the socket is closed after it returns. */
    public interface Handler {
        void handle(Socket connection, AtomicLong received) throws IOException;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final List<AtomicLong> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger finished = new AtomicInteger();

    private TestServer(ServerSocket server, Handler handler) {
        this.server = server;
        this.handler = handler;
    }

    public static TestServer start(ServerSocket server, Handler handler) {
        TestServer s = new TestServer(server, handler);
        Thread t = new Thread(s::serve, "test-server-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
        return s;
    }

    /**
     * Reads every connection to EOF, counting its bytes, then closes it: data left unread would make
     * the kernel reset the peer, and a reset kills the peer's TIME_WAIT.
     */
    public static TestServer draining(ServerSocket server) {
        return start(server, (c, count) -> {
            byte[] buffer = new byte[64 * 1024];
            InputStream in = c.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                count.addAndGet(n);
            }
        });
    }

    /** A draining server on 127.0.0.1:{@code port} with a backlog of 512. */
    public static TestServer draining(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        return draining(s);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve() {
        try {
            while (true) {
                Socket c = server.accept();
                AtomicLong count = new AtomicLong();
                accepted.add(c);
                received.add(count);
                Thread.ofVirtual().start(() -> {
                    try (c) {
                        handler.handle(c, count);
                    } catch (IOException | RuntimeException e) {
                        return; // reset, or closed by the test
                    }
                    finished.incrementAndGet(); // after close: the peer has our FIN
                });
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    /** Bytes received on the {@code i}-th accepted connection, 0 before it is accepted. */
    public long received(int i) {
        return i < received.size() ? received.get(i).get() : 0;
    }

    /** Waits until {@code n} connections were handled to the end and closed by this side. */
    public void awaitFinished(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (finished.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(finished.get()).as("connections handled to EOF and closed by the server").isEqualTo(n);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}

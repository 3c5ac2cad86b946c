package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.testing.TestCerts;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handshake CPU bound on real loopback sockets and a real JSSE handshake. */
class HandshakeCpuTest {
    @TempDir
    Path dir;

    private ServerSocket listener;

    @AfterEach
    void close() throws Exception {
        if (listener != null) {
            listener.close();
        }
    }

    /** A connected pair: [0] the client's end, [1] the server's. */
    private Socket[] pair() throws Exception {
        if (listener == null) {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        Socket client = new Socket();
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5_000);
        Socket server = listener.accept();
        server.setSoTimeout(10_000);
        return new Socket[] {client, server};
    }

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aPermitIsHeldFromAReadUntilTheNextReadOrWriteAndNotAfterDone() throws Exception {
        HandshakeCpu cpu = new HandshakeCpu(1);
        Socket[] p = pair();
        long deadline = in(10_000);
        HandshakeCpu.Gated g = cpu.gate(p[1], () -> deadline);
        p[0].getOutputStream().write(new byte[] {1, 2});
        assertThat(g.getInputStream().read()).isEqualTo(1);
        assertThat(cpu.available()).as("computing on what was read").isZero();
        g.getOutputStream().write(9);
        assertThat(cpu.available()).as("writing").isEqualTo(1);
        assertThat(p[0].getInputStream().read()).isEqualTo(9);
        assertThat(g.getInputStream().read()).isEqualTo(2);
        assertThat(cpu.available()).isZero();
        g.done();
        assertThat(cpu.available()).as("after the handshake").isEqualTo(1);
        p[0].getOutputStream().write(3);
        assertThat(g.getInputStream().read()).isEqualTo(3);
        assertThat(cpu.available()).as("application data is not gated").isEqualTo(1);
        p[0].close();
        g.close();
    }

    @Test
    void aHandshakeWaitingForItsClientHoldsNoPermitAndAComputingOneMakesTheNextWait() throws Exception {
        HandshakeCpu cpu = new HandshakeCpu(1);
        Socket[] slow = pair();
        Socket[] fast = pair();
        Socket[] next = pair();
        long deadline = in(10_000);
        HandshakeCpu.Gated slowGate = cpu.gate(slow[1], () -> deadline);
        HandshakeCpu.Gated fastGate = cpu.gate(fast[1], () -> deadline);
        HandshakeCpu.Gated nextGate = cpu.gate(next[1], () -> deadline);
        CompletableFuture<Integer> slowRead = async(() -> read(slowGate));
        fast[0].getOutputStream().write(7);
        assertThat(fastGate.getInputStream().read()).as("the only permit, with a slow handshake blocked in its read").isEqualTo(7);
        next[0].getOutputStream().write(8);
        CompletableFuture<Integer> nextRead = async(() -> read(nextGate));
        Thread.sleep(300);
        assertThat(nextRead).as("its bytes are in, but the permit is taken").isNotDone();
        fastGate.done();
        assertThat(nextRead.get(10, TimeUnit.SECONDS)).isEqualTo(8);
        assertThat(slowRead).isNotDone();
        nextGate.done();
        slow[0].getOutputStream().write(5);
        assertThat(slowRead.get(10, TimeUnit.SECONDS)).isEqualTo(5);
        slowGate.done();
        assertThat(cpu.available()).isEqualTo(1);
        for (Socket[] s : new Socket[][] {slow, fast, next}) {
            s[0].close();
            s[1].close();
        }
    }

    @Test
    void aReadThatGetsNoPermitBeforeTheDeadlineFails() throws Exception {
        HandshakeCpu cpu = new HandshakeCpu(1);
        Socket[] holder = pair();
        Socket[] late = pair();
        long far = in(10_000);
        HandshakeCpu.Gated held = cpu.gate(holder[1], () -> far);
        holder[0].getOutputStream().write(1);
        held.getInputStream().read();
        long soon = in(200);
        HandshakeCpu.Gated starved = cpu.gate(late[1], () -> soon);
        late[0].getOutputStream().write(1);
        assertThatThrownBy(() -> starved.getInputStream().read()).isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("handshake CPU");
        held.done();
        starved.done();
        assertThat(cpu.available()).isEqualTo(1);
    }

    @Test
    void aRealTlsHandshakeThroughTheGateServesAndLeavesEveryPermitFree() throws Exception {
        TestCerts certs = TestCerts.create(dir);
        ServerTls tls = WebConfig.load(Files.writeString(dir.resolve("web.yml"),
                "tls_server_config:\n  cert_file: ec.crt\n  key_file: ec-sec1.key\n")).tls();
        HandshakeCpu cpu = new HandshakeCpu(HandshakeCpu.permitsFor(2));
        Socket[] p = pair();
        CompletableFuture<String> client = async(() -> {
            try (SSLSocket s = (SSLSocket) TestCerts.trusting(certs.file("ca.crt")).getSocketFactory()
                    .createSocket(p[0], "127.0.0.1", p[0].getPort(), true)) {
                s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                return new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        int first = p[1].getInputStream().read(); // as the listener does: the record type decides TLS or not
        long deadline = in(10_000);
        HandshakeCpu.Gated g = cpu.gate(p[1], () -> deadline);
        SSLSocket server = (SSLSocket) tls.context().getSocketFactory()
                .createSocket(g, new ByteArrayInputStream(new byte[] {(byte) first}), true);
        tls.configure(server);
        try {
            server.startHandshake();
        } finally {
            g.done();
        }
        assertThat(cpu.available()).isEqualTo(1);
        assertThat(new String(server.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
        server.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
        server.getOutputStream().flush();
        assertThat(client.get(10, TimeUnit.SECONDS)).isEqualTo("pong\n");
        assertThat(server.getSession().getProtocol()).isEqualTo("TLSv1.3");
        server.close();
        assertThat(cpu.available()).isEqualTo(1);
    }

    /** On a thread of its own: the common pool may have a single worker, which one blocked read would take. */
    private static <T> CompletableFuture<T> async(java.util.function.Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static int read(HandshakeCpu.Gated g) {
        try {
            InputStream in = g.getInputStream();
            return in.read();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

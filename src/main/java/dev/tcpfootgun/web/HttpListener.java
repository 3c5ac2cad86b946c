package dev.tcpfootgun.web;

import dev.tcpfootgun.config.ListenAddress;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server built so that slow or hostile clients cannot starve it:
 *
 * <ul>
 *   <li>every connection has its own virtual thread, so a client that dribbles its TLS handshake or
 *       request head holds one cheap thread of its own, never one of a shared pool;
 *   <li>the handshake and the request head must be complete {@value #HEAD_SECONDS} s after the
 *       connection (or the request's first byte) and fit {@link HttpRequest}'s byte bounds; an idle
 *       keep-alive connection is closed after {@value #IDLE_SECONDS} s and a response must be out
 *       within {@value #RESPONSE_SECONDS} s; one watchdog thread closes whatever overruns;
 *   <li>at most {@value #HANDSHAKES_PER_CLIENT} TLS handshakes at once per client address, and handshakes
 *       compute on at most half the processors at once ({@link HandshakeCpu}), so a flood of new
 *       connections cannot take every carrier thread from the requests of those past their handshake;
 *   <li>at most {@value #MAX_PER_CLIENT} connections per client address and {@value #MAX_CONNECTIONS}
 *       in all: past the first the new connection is reset at once; past the second the oldest
 *       connection still waiting for its request head makes room, else the new one is reset;
 *   <li>at most --web.max-requests requests are handled at once (node_exporter's flag, default 40;
 *       0 for no limit); more get 503.
 * </ul>
 */
final class HttpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpListener.class);
    static final int HEAD_SECONDS = 10;
    static final int IDLE_SECONDS = 60;
    static final int RESPONSE_SECONDS = 60;
    static final int MAX_PER_CLIENT = 32;
    static final int MAX_CONNECTIONS = 512;
    /** TLS handshakes (the CPU a connection costs before it is served) at once per client address. */
    static final int HANDSHAKES_PER_CLIENT = 2;
    private static final int BACKLOG = 512;

    interface Handler {
        HttpResponse handle(HttpRequest request, WebConfigFile.Current config);
    }

    private enum Phase { HEAD, IDLE, HANDLING }

    /** One accepted connection; its deadline is watched. */
    private static final class Conn {
        final Socket raw;
        final InetAddress client;
        final long opened = System.nanoTime();
        volatile Phase phase = Phase.HEAD;
        volatile long deadline;

        Conn(Socket raw) {
            this.raw = raw;
            this.client = raw.getInetAddress();
        }
    }

    private final List<ServerSocket> sockets = new ArrayList<>();
    private final WebConfigFile config;
    private final Handler handler;
    private final Set<Conn> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private final Map<InetAddress, java.util.concurrent.Semaphore> handshakes = new HashMap<>();
    private final HandshakeCpu handshakeCpu = new HandshakeCpu(HandshakeCpu.permitsFor(Runtime.getRuntime().availableProcessors()));
    /** Null without a limit. */
    private final java.util.concurrent.Semaphore requests;
    private final int maxRequests;
    private final AtomicLong refused = new AtomicLong();
    private final Thread watchdog;
    private volatile boolean closing;

    HttpListener(List<ListenAddress> addresses, WebConfigFile config, Handler handler, int maxRequests) throws IOException {
        this.maxRequests = maxRequests;
        this.requests = maxRequests > 0 ? new java.util.concurrent.Semaphore(maxRequests) : null;
        this.config = config;
        this.handler = handler;
        try {
            for (ListenAddress a : addresses) {
                ServerSocket s = new ServerSocket();
                sockets.add(s);
                s.setReuseAddress(true);
                try {
                    s.bind(a.host() == null ? new InetSocketAddress(a.port())
                            : new InetSocketAddress(InetAddress.getByName(a.host()), a.port()), BACKLOG);
                } catch (IOException | RuntimeException e) {
                    throw new IOException("cannot listen on " + a + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        for (ServerSocket s : sockets) {
            Thread t = new Thread(() -> accept(s), "http-accept-" + s.getLocalPort());
            t.setDaemon(true);
            t.start();
        }
        watchdog = new Thread(this::watch, "http-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    /** The bound ports, in the order of the addresses. */
    List<Integer> ports() {
        return sockets.stream().map(ServerSocket::getLocalPort).toList();
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("accept on {} failed: {}", server.getLocalSocketAddress(), e.getMessage());
                    sleep(100);
                }
                continue;
            }
            Conn c = new Conn(s);
            if (!admit(c)) {
                reset(s);
                long n = refused.incrementAndGet();
                if (Long.bitCount(n) == 1) { // 1, 2, 4, 8...: a flood is logged, not echoed line by line
                    LOG.warn("refused a connection from {} (per-client limit {}, total {}); {} refused so far",
                            c.client.getHostAddress(), MAX_PER_CLIENT, MAX_CONNECTIONS, n);
                }
                continue;
            }
            c.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEAD_SECONDS);
            Thread.ofVirtual().name("http-conn").start(() -> serve(c));
        }
    }

    private boolean admit(Conn c) {
        if (closing) {
            return false;
        }
        synchronized (perClient) {
            int mine = perClient.getOrDefault(c.client, 0);
            if (mine >= MAX_PER_CLIENT) {
                return false;
            }
            if (open.size() >= MAX_CONNECTIONS && !evictOneWaiting()) {
                return false;
            }
            perClient.put(c.client, mine + 1);
            handshakes.computeIfAbsent(c.client, k -> new java.util.concurrent.Semaphore(HANDSHAKES_PER_CLIENT));
            open.add(c);
            return true;
        }
    }

    /** Closes the oldest connection that has not sent a complete request head; false when every one has. */
    private boolean evictOneWaiting() {
        Conn oldest = null;
        for (Conn o : open) {
            if (o.phase != Phase.HANDLING && !o.raw.isClosed() && (oldest == null || o.opened < oldest.opened)) {
                oldest = o;
            }
        }
        if (oldest == null) {
            return false;
        }
        reset(oldest.raw);
        return true;
    }

    private void release(Conn c) {
        synchronized (perClient) {
            if (open.remove(c)) {
                perClient.computeIfPresent(c.client, (k, n) -> n <= 1 ? null : n - 1);
                if (!perClient.containsKey(c.client)) {
                    handshakes.remove(c.client);
                }
            }
        }
    }

    private void serve(Conn c) {
        Socket socket = c.raw;
        try {
            socket.setTcpNoDelay(true);
            WebConfigFile.Current cfg = config.current();
            ServerTls tls = cfg.config().tls();
            if (tls != null) {
                int first = socket.getInputStream().read();
                if (first < 0) {
                    return;
                }
                if (first != 0x16) { // not a TLS handshake record: answer in clear, as Go's server does
                    socket.getOutputStream().write(HttpRequest.ascii(
                            "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"));
                    return;
                }
                HandshakeCpu.Gated gated = handshakeCpu.gate(socket, () -> c.deadline);
                SSLSocket ssl = (SSLSocket) tls.context().getSocketFactory()
                        .createSocket(gated, new ByteArrayInputStream(new byte[] {(byte) first}), true);
                tls.configure(ssl);
                socket = ssl;
                // a client's handshakes queue behind each other, so one address opening many cannot take the CPU
                // (and the carrier threads) every other client's handshake needs; the head deadline still runs
                java.util.concurrent.Semaphore mine;
                synchronized (perClient) {
                    mine = handshakes.get(c.client);
                }
                long left = c.deadline - System.nanoTime();
                if (mine == null || !mine.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    return;
                }
                try {
                    ssl.startHandshake();
                } finally {
                    gated.done();
                    mine.release();
                }
            }
            // small buffers: hundreds of idle or slow connections must not fill the heap (responses are written whole)
            InputStream in = new BufferedInputStream(socket.getInputStream(), 1024);
            OutputStream out = socket.getOutputStream();
            boolean first = true;
            while (!closing) {
                if (!first) {
                    c.phase = Phase.IDLE;
                    c.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
                    cfg = config.current();
                }
                first = false;
                HttpRequest request;
                try {
                    request = HttpRequest.read(in, c.client, tls != null, () -> {
                        if (c.phase == Phase.IDLE) {
                            c.phase = Phase.HEAD;
                            c.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HEAD_SECONDS);
                        }
                    });
                } catch (HttpRequest.Malformed m) {
                    HttpResponse.text(m.status, HttpResponse.REASONS.getOrDefault(m.status, "Bad Request") + ": " + m.getMessage() + "\n")
                            .write(out, false, true, cfg.config().headers());
                    lingeringClose(c, socket, in);
                    return;
                }
                if (request == null) {
                    return;
                }
                c.phase = Phase.HANDLING;
                c.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RESPONSE_SECONDS);
                long started = System.nanoTime();
                HttpResponse response = handleBounded(request, cfg);
                String length = request.header("content-length");
                boolean body = length != null && !length.equals("0") || request.header("transfer-encoding") != null;
                // a request with a body (which GET and HEAD never need) is answered and the connection closed unread
                boolean close = closing || body || !request.keepAlive() || response.status() >= 400 && response.status() != 401
                        && response.status() != 404;
                response.write(out, request.method().equals("HEAD"), close, cfg.config().headers());
                LOG.debug("{} {} {} {} {} ms, {} bytes", request.method(), cut(request.path()), response.status(),
                        c.client.getHostAddress(), (System.nanoTime() - started) / 1_000_000, response.body().length);
                if (close) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // the client went away, overran a deadline (the watchdog closed the socket) or failed its handshake
            LOG.debug("connection from {} ended: {}", c.client, e.toString());
        } finally {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            release(c);
        }
    }

    /**
     * After answering a request whose rest was not read: stop sending, then read and drop what the
     * client still sends for up to 2 s, so the close is a FIN and the client reads the answer
     * (closing on unread data sends an RST, and the client's kernel drops what it had received).
     */
    private static void lingeringClose(Conn c, Socket socket, InputStream in) {
        c.deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            if (!(socket instanceof SSLSocket)) {
                socket.shutdownOutput();
            }
            byte[] sink = new byte[8192];
            for (long dropped = 0; dropped < 4L << 20 && in.read(sink) >= 0; dropped += sink.length) {
                // dropped
            }
        } catch (IOException e) {
            // the client closed or the watchdog did
        }
    }

    private HttpResponse handleBounded(HttpRequest request, WebConfigFile.Current cfg) {
        if (requests != null && !requests.tryAcquire()) {
            return HttpResponse.text(503, "Service Unavailable: more than " + maxRequests + " requests in flight\n");
        }
        try {
            return handler.handle(request, cfg);
        } catch (RuntimeException e) {
            LOG.warn("request {} {} failed: {}", request.method(), request.path(), e.toString());
            return HttpResponse.text(500, "Internal Server Error\n");
        } finally {
            if (requests != null) {
                requests.release();
            }
        }
    }

    private void watch() {
        while (true) {
            sleep(200);
            long now = System.nanoTime();
            try {
                for (Conn c : open) {
                    if (now - c.deadline > 0) {
                        reset(c.raw);
                    }
                }
            } catch (OutOfMemoryError e) {
                // a source filling the heap lets it go when its read fails; the next sweep does this one's work
                continue;
            }
            if (closing && open.isEmpty()) {
                return;
            }
        }
    }

    /** Closes with an RST (SO_LINGER 0): no FIN handshake, no TIME_WAIT kept for a client we refuse. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting, closes idle connections, and waits up to {@code grace} for requests in flight
     * (a scrape being read or sent) to finish; then closes what is left.
     */
    void drain(java.time.Duration grace) {
        closing = true;
        for (ServerSocket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        long end = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < end) {
            boolean busy = false;
            for (Conn c : open) {
                if (c.phase == Phase.HANDLING) {
                    busy = true;
                } else {
                    reset(c.raw);
                }
            }
            if (!busy) {
                break;
            }
            sleep(50);
        }
        for (Conn c : open) {
            reset(c.raw);
        }
    }

    @Override
    public void close() {
        drain(java.time.Duration.ZERO);
    }

    /** A path for a log line: a request line may be kilobytes. */
    private static String cut(String path) {
        return path.length() > 100 ? path.substring(0, 100) + "..." : path;
    }
}

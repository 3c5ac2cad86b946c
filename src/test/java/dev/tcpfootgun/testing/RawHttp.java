package dev.tcpfootgun.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One request on a fresh connection from a chosen loopback source address (127.0.0.0/8 all reach
 * the loopback, so tests can play several clients), over TLS when a context is given. No keep-alive:
 * every call pays connect, handshake and header parsing, as a client under attack would.
 */
public final class RawHttp {
    private RawHttp() {}

    /** status -1 when the connection failed or closed without a status line. */
    /** @param phases when the connection was made, the handshake done and the first byte in, in ms from the start */
    public record Reply(int status, String head, byte[] body, long millis, String error, String phases) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public static Socket connect(String from, int port, SSLContext tls, int timeoutMillis) throws IOException {
        return connect(from, port, tls, timeoutMillis, new StringBuilder(), System.nanoTime());
    }

    private static Socket connect(String from, int port, SSLContext tls, int timeoutMillis, StringBuilder phases, long start)
            throws IOException {
        Socket s = new Socket();
        if (from != null) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        }
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeoutMillis);
        phases.append("connected ").append((System.nanoTime() - start) / 1_000_000);
        s.setSoTimeout(timeoutMillis);
        if (tls == null) {
            return s;
        }
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, "127.0.0.1", port, true);
        ssl.setSoTimeout(timeoutMillis);
        ssl.startHandshake();
        phases.append(", handshake done ").append((System.nanoTime() - start) / 1_000_000);
        return ssl;
    }

    /** Sends {@code request} (a full request head, CRLFs included) and reads the answer to its end. */
    public static Reply send(String from, int port, SSLContext tls, String request, int timeoutMillis) {
        long start = System.nanoTime();
        StringBuilder phases = new StringBuilder();
        try (Socket s = connect(from, port, tls, timeoutMillis, phases, start)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (got.size() == 0) {
                        phases.append(", first byte ").append((System.nanoTime() - start) / 1_000_000);
                    }
                    got.write(buf, 0, n);
                }
            } catch (IOException e) {
                if (got.size() == 0) {
                    throw e;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            byte[] all = got.toByteArray();
            String text = new String(all, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || text.length() < 12) {
                return new Reply(-1, text, new byte[0], millis, "no status line", phases.toString());
            }
            int status = Integer.parseInt(text.substring(9, 12));
            String head = end < 0 ? text : text.substring(0, end);
            byte[] body = end < 0 ? new byte[0] : java.util.Arrays.copyOfRange(all, end + 4, all.length);
            return new Reply(status, head, body, millis, null, phases.toString());
        } catch (IOException e) {
            return new Reply(-1, "", new byte[0], (System.nanoTime() - start) / 1_000_000, e.toString(), phases.toString());
        }
    }

    public static Reply get(String from, int port, SSLContext tls, String path, String... headers) {
        StringBuilder r = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return send(from, port, tls, r.append("\r\n").toString(), 20_000);
    }
}

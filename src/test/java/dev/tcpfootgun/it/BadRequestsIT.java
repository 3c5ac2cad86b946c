package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile requests get a status and a body without a stack trace: headers over 32 KiB
 * or 100 lines 431, a request line over 8 KiB 414, every other malformed head 400, a method other
 * than GET and HEAD 405 (CONNECT included), HTTP versions other than 1.0 and 1.1 505; only the
 * documented paths exist (exact match). The server answers normally afterwards.
 */
class BadRequestsIT {
    static ExporterProcess exporter;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        port = FakeKernel.freePort();
        exporter = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() {
        exporter.close();
    }

    /** Sends raw bytes (while reading, so a large request cannot deadlock) and returns what came back. */
    static String raw(byte[] request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(20_000);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try (InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0 && got.size() < 100_000; ) {
                        synchronized (got) {
                            got.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // reset by the server: what it sent before is kept
                }
            });
            reader.start();
            try {
                s.getOutputStream().write(request);
                s.shutdownOutput();
            } catch (IOException e) {
                // the server closed while we were still sending
            }
            reader.join(25_000);
            synchronized (got) {
                return got.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void malformedRequestsGet4xxWithoutAStackTrace() throws Exception {
        Map<String, byte[]> requests = new LinkedHashMap<>();
        requests.put("400 garbage request line", new byte[] {0, 1, 2, 'x', '\r', '\n', '\r', '\n'});
        requests.put("400 one word", ascii("GARBAGE\r\n\r\n"));
        requests.put("405 BREW /metrics", ascii("BREW /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("405 DELETE /metrics", ascii("DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("405 POST /", ascii("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"));
        requests.put("405 PUT /-/healthy", ascii("PUT /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        requests.put("400 bad escape", ascii("GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 dot-dot path", ascii("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 unknown path", ascii("GET /admin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("400 bad debug parameter", ascii("GET /metrics?debug=nonsense HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("400 negative Content-Length", ascii("GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n"));
        requests.put("405 CONNECT", ascii("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
        requests.put("405 OPTIONS *", ascii("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"));
        requests.put("400 absolute-form GET", ascii("GET http://example.com/metrics HTTP/1.1\r\nHost: example.com\r\n\r\n"));
        requests.put("400 HTTP/1.1 without Host", ascii("GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"));
        requests.put("400 two Host headers", ascii("GET /metrics HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        requests.put("505 HTTP/2.0 in text", ascii("GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n"));
        requests.put("400 folded header", ascii("GET /metrics HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"));
        requests.put("400 header without colon", ascii("GET /metrics HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"));
        requests.put("400 space before colon", ascii("GET /metrics HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n"));
        requests.put("400 debug on the metrics path", ascii("GET /metrics?debug=evil HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 /metricsXYZ", ascii("GET /metricsXYZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 /metrics/", ascii("GET /metrics/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 /metrics/?debug=evil", ascii("GET /metrics/?debug=evil HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 /-/healthyXYZ", ascii("GET /-/healthyXYZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 /findings.jsonx", ascii("GET /findings.jsonx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("404 //metrics", ascii("GET //metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("200 /metrics?debug=text", ascii("GET /metrics?debug=text HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        requests.put("200 HTTP/1.0 without Host", ascii("GET /-/healthy HTTP/1.0\r\n\r\n"));
        requests.put("200 bare LF line ends", ascii("GET /-/healthy HTTP/1.1\nHost: x\nConnection: close\n\n"));
        for (var r : requests.entrySet()) {
            String status = r.getKey().substring(0, 3);
            String answer = raw(r.getValue());
            assertThat(answer).as(r.getKey()).startsWith("HTTP/1.1 " + status);
            assertThat(answer).as(r.getKey()).doesNotContain("\tat ").doesNotContain("at java.");
            if (!status.equals("200")) {
                assertThat(answer).as(r.getKey()).doesNotContain("footgun_");
            }
        }
        assertThat(raw(ascii("BREW /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))).contains("Allow: GET, HEAD");
    }

    @Test
    void oversizedRequestsAreCutOffAndTheServerCarriesOn() throws Exception {
        String bigHeader = raw(ascii("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n"));
        StringBuilder many = new StringBuilder("GET /metrics HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        String manyHeaders = raw(ascii(many.append("\r\n").toString()));
        String longUri = raw(ascii("GET /" + "a/".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertThat(bigHeader).startsWith("HTTP/1.1 431");
        assertThat(manyHeaders).startsWith("HTTP/1.1 431");
        assertThat(longUri).startsWith("HTTP/1.1 414");
        String hugeHeader = raw(ascii("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(2_000_000) + "\r\n\r\n"));
        assertThat(hugeHeader).startsWith("HTTP/1.1 431"); // read no further than the limit, then answered
        for (String answer : new String[] {bigHeader, manyHeaders, longUri, hugeHeader}) {
            assertThat(answer.startsWith("HTTP/1.1 4")).as(answer.substring(0, Math.min(200, answer.length()))).isTrue();
            assertThat(answer).doesNotContain("footgun_").doesNotContain("\tat ");
        }
        assertThat(raw(ascii("GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))).startsWith("HTTP/1.1 200");
        assertThat(raw(ascii("HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))).startsWith("HTTP/1.1 200");
        String notFound = raw(ascii("GET /" + "b".repeat(5000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertThat(notFound).startsWith("HTTP/1.1 404").hasSizeLessThan(1000); // the path is echoed cut short
        assertThat(exporter.isAlive()).isTrue();
    }
}

package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request line's HTTP version and Content-Length, checked by hand where a regex once was. */
class HttpRequestTest {

    private static HttpRequest read(String head) throws Exception {
        return HttpRequest.read(new ByteArrayInputStream(head.getBytes(StandardCharsets.ISO_8859_1)),
                InetAddress.getLoopbackAddress(), false, () -> {});
    }

    private static int status(String head) {
        HttpRequest.Malformed m = catchThrowableOfType(HttpRequest.Malformed.class, () -> read(head));
        return m == null ? 200 : m.status;
    }

    @Test
    void versionIsHttpDigitDotDigit() throws Exception {
        assertThat(read("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").version()).isEqualTo("HTTP/1.1");
        assertThat(read("GET /metrics HTTP/1.0\r\n\r\n").version()).isEqualTo("HTTP/1.0");
        assertThat(status("GET / HTTP/2.0\r\nHost: x\r\n\r\n")).isEqualTo(505);
        assertThat(status("GET / HTTP/0.9\r\n\r\n")).isEqualTo(505);
        for (String bad : new String[] {"HTTP/1.10", "HTTP/11", "HTTP/1,1", "http/1.1", "HTTP/x.1", "HTTP/1.", "HTTP/\u0661.1", "HTTPS1.1", ""}) {
            assertThat(status("GET / " + bad + "\r\nHost: x\r\n\r\n")).as(bad).isEqualTo(400);
        }
    }

    @Test
    void contentLengthIsOneToEighteenDigits() throws Exception {
        assertThat(status("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")).isEqualTo(200);
        assertThat(status("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 123456789012345678\r\n\r\n")).isEqualTo(200);
        for (String bad : new String[] {"1234567890123456789", "-1", "+1", "1 2", "", "0x10", "\u0661"}) {
            assertThat(status("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: " + bad + "\r\n\r\n")).as(bad).isEqualTo(400);
        }
    }
}

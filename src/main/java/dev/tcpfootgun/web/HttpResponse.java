package dev.tcpfootgun.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete response: status, headers in order, body (sent only for methods other than HEAD). */
record HttpResponse(int status, Map<String, String> headers, byte[] body) {

    static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(200, "OK"), Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(414, "URI Too Long"), Map.entry(429, "Too Many Requests"),
            Map.entry(431, "Request Header Fields Too Large"), Map.entry(500, "Internal Server Error"),
            Map.entry(503, "Service Unavailable"), Map.entry(505, "HTTP Version Not Supported"));

    static HttpResponse text(int status, String body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", "text/plain; charset=utf-8");
        h.put("X-Content-Type-Options", "nosniff");
        return new HttpResponse(status, h, body.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse of(int status, String type, String body) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", type);
        return new HttpResponse(status, h, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy with one more header. */
    HttpResponse with(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResponse(status, h, body);
    }

    void write(OutputStream out, boolean head, boolean close, Map<String, String> extra) throws IOException {
        StringBuilder b = new StringBuilder(256);
        b.append("HTTP/1.1 ").append(status).append(' ').append(REASONS.getOrDefault(status, "Status")).append("\r\n");
        Map<String, String> all = new LinkedHashMap<>(extra);
        all.putAll(headers);
        all.putIfAbsent("Content-Length", Integer.toString(body.length));
        if (close) {
            all.put("Connection", "close");
        }
        for (Map.Entry<String, String> e : all.entrySet()) {
            b.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
        }
        byte[] top = b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        if (head || body.length > 16 * 1024) {
            out.write(top);
            if (!head) {
                out.write(body);
            }
        } else {
            // one write, so a small answer leaves in one segment (one TLS record)
            byte[] whole = java.util.Arrays.copyOf(top, top.length + body.length);
            System.arraycopy(body, 0, whole, top.length, body.length);
            out.write(whole);
        }
        out.flush();
    }
}

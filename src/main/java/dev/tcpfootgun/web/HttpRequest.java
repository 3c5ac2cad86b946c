package dev.tcpfootgun.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.x request head, read within fixed bounds: a request line of at most
 * {@value #MAX_REQUEST_LINE} bytes (414 past it), at most {@value #MAX_HEADERS} header lines in
 * {@value #MAX_HEADER_BYTES} bytes (431 past them). Anything else malformed is 400, an HTTP version
 * other than 1.0 and 1.1 is 505. Bodies are never read: GET and HEAD have none.
 *
 * @param headers by lower-case name, values in arrival order
 */
record HttpRequest(String method, String target, String path, String rawQuery, String version,
        Map<String, List<String>> headers, InetAddress client, boolean tls) {

    static final int MAX_REQUEST_LINE = 8 * 1024;
    /** Prometheus sends well under 1 KiB of headers. */
    static final int MAX_HEADER_BYTES = 32 * 1024;
    static final int MAX_HEADERS = 100;

    /** A request that cannot be served: the status to answer, then the connection is closed. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Malformed(int status, String why) {
            super(why, null, false, false);
            this.status = status;
        }
    }

    String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    boolean keepAlive() {
        String c = header("connection");
        boolean close = c != null && c.toLowerCase(Locale.ROOT).contains("close");
        boolean keep = c != null && c.toLowerCase(Locale.ROOT).contains("keep-alive");
        return version.equals("HTTP/1.1") ? !close : keep;
    }

    /**
     * Reads the next request head; null when the client closed the connection between requests.
     * {@code firstByte} is called once the first byte arrived (the deadline for the rest starts then).
     */
    static HttpRequest read(InputStream in, InetAddress client, boolean tls, Runnable firstByte) throws IOException, Malformed {
        int b = in.read();
        while (b == '\r' || b == '\n') {
            b = in.read(); // RFC 9112 2.2: empty lines before a request line are ignored
        }
        if (b < 0) {
            return null;
        }
        firstByte.run();
        String line = line(in, b, MAX_REQUEST_LINE, 414, "request line");
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || parts[0].isEmpty() || !isToken(parts[0]) || parts[1].isEmpty()) {
            throw new Malformed(400, "malformed request line");
        }
        String version = parts[2];
        if (!isVersion(version)) {
            throw new Malformed(400, "malformed HTTP version");
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new Malformed(505, "HTTP version not supported");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        int bytes = 0;
        int count = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed inside the request head");
            }
            String h = line(in, c, MAX_HEADER_BYTES - bytes, 431, "headers");
            bytes += h.length() + 2;
            if (h.isEmpty()) {
                break;
            }
            if (++count > MAX_HEADERS) {
                throw new Malformed(431, "more than " + MAX_HEADERS + " header lines");
            }
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') {
                throw new Malformed(400, "obsolete header line folding");
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || !isToken(h.substring(0, colon))) {
                throw new Malformed(400, "malformed header line");
            }
            headers.computeIfAbsent(h.substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(h.substring(colon + 1).strip());
        }
        String target = parts[1];
        if (!target.startsWith("/")) {
            // absolute-form (a proxy request), authority-form (CONNECT) or "*": answered, never routed
            if (!parts[0].equals("GET") && !parts[0].equals("HEAD")) {
                return new HttpRequest(parts[0], target, "", null, version, headers, client, tls);
            }
            throw new Malformed(400, "the request target must be a path");
        }
        if (version.equals("HTTP/1.1") && (headers.get("host") == null || headers.get("host").size() != 1)) {
            throw new Malformed(400, "HTTP/1.1 needs exactly one Host header");
        }
        List<String> length = headers.get("content-length");
        if (length != null && (length.size() != 1 || !isDigits(length.get(0), 18))) {
            throw new Malformed(400, "malformed Content-Length");
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        if (!validEscapes(path) || query != null && !validEscapes(query)) {
            throw new Malformed(400, "malformed percent-escape");
        }
        return new HttpRequest(parts[0], target, path, query, version, headers, client, tls);
    }

    /** A line that started with {@code first}, CRLF or LF ended, at most {@code max} bytes. */
    private static String line(InputStream in, int first, int max, int tooLong, String what) throws IOException, Malformed {
        StringBuilder b = new StringBuilder(64);
        int c = first;
        while (c != '\n') {
            if (c < 0) {
                throw new IOException("closed inside the request head");
            }
            if (b.length() >= max) {
                throw new Malformed(tooLong, what + " longer than the limit");
            }
            if (c == 0) {
                throw new Malformed(400, "NUL in the request head");
            }
            b.append((char) c);
            c = in.read();
        }
        int n = b.length();
        if (n > 0 && b.charAt(n - 1) == '\r') {
            b.setLength(n - 1);
        }
        return b.toString();
    }

    /** "HTTP/" digit "." digit, without String.matches compiling a Pattern on every request. */
    private static boolean isVersion(String v) {
        return v.length() == 8 && v.startsWith("HTTP/") && isDigits(v.substring(5, 6), 1) && v.charAt(6) == '.'
                && isDigits(v.substring(7), 1);
    }

    /** One to {@code max} ASCII digits (what the regex \d means without UNICODE_CHARACTER_CLASS). */
    private static boolean isDigits(String s, int max) {
        if (s.isEmpty() || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean validEscapes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    return false;
                }
            } else if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}

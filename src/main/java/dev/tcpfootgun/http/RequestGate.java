package dev.tcpfootgun.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import java.util.Set;

/**
 * What every request passes before a handler sees it, on every path (client_java's HTTPServer
 * applies one Authenticator to all its contexts, which makes this the one place to stand): only
 * GET and HEAD (405 otherwise, with Allow), headers of at most {@value #MAX_HEADER_BYTES} bytes in
 * {@value #MAX_HEADERS} lines (431) and a URI of at most {@value #MAX_URI_CHARS} characters (414), a
 * known ?debug= on the metrics path (400, not the 500 client_java answers), then basic auth when the
 * web config has users. The JDK server's own, larger limits (ExporterServer) only close the
 * connection, so the sizes a client gets a status for are judged here.
 */
final class RequestGate extends Authenticator {
    private static final Set<String> DEBUG_FORMATS = Set.of("openmetrics", "text", "prometheus-protobuf");
    /** Prometheus sends well under 1 KiB of headers. */
    static final int MAX_HEADER_BYTES = 32 * 1024;
    static final int MAX_HEADERS = 100;
    static final int MAX_URI_CHARS = 8 * 1024;

    private final String telemetryPath;
    private final Authenticator users;

    /** @param users basic auth, or null when the web config has no users */
    RequestGate(String telemetryPath, Authenticator users) {
        this.telemetryPath = telemetryPath;
        this.users = users;
    }

    @Override
    public Result authenticate(HttpExchange ex) {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            return new Failure(405);
        }
        if (ex.getRequestURI().toString().length() > MAX_URI_CHARS) {
            return new Failure(414);
        }
        int lines = 0;
        long bytes = 0;
        for (var h : ex.getRequestHeaders().entrySet()) {
            for (String v : h.getValue()) {
                lines++;
                bytes += h.getKey().length() + v.length() + 4; // "name: value\r\n"
            }
        }
        if (lines > MAX_HEADERS || bytes > MAX_HEADER_BYTES) {
            return new Failure(431);
        }
        if (ex.getRequestURI().getPath().equals(telemetryPath) && !debugParameterOk(ex.getRequestURI().getRawQuery())) {
            return new Failure(400);
        }
        return users == null ? new Success(null) : users.authenticate(ex);
    }

    private static boolean debugParameterOk(String query) {
        if (query == null) {
            return true;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("debug=") && !DEBUG_FORMATS.contains(pair.substring("debug=".length()))) {
                return false;
            }
        }
        return true;
    }
}

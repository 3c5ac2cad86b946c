package dev.tcpfootgun.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import java.util.Set;

/**
 * What every request passes before a handler sees it, on every path (client_java's HTTPServer
 * applies one Authenticator to all its contexts, which makes this the one place to stand): only
 * GET and HEAD (405 otherwise, with Allow), a known ?debug= on the metrics path (400, not the
 * 500 client_java answers), then basic auth when the web config has users.
 */
final class RequestGate extends Authenticator {
    private static final Set<String> DEBUG_FORMATS = Set.of("openmetrics", "text", "prometheus-protobuf");

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

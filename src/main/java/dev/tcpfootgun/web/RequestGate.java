package dev.tcpfootgun.web;

import java.util.Map;
import java.util.Set;

/**
 * What every request passes before a route sees it, in this order: only GET and HEAD (405 with
 * Allow; CONNECT and absolute-form proxy requests included), the web config's rate_limit (429),
 * basic auth when the web config has users (401 with the challenge, 429 once a client has failed
 * too often: see {@link BasicAuth}), then an exact path among the routes (404 otherwise:
 * /metrics/ and /metricsXYZ are not /metrics) and a known ?debug= on the metrics path (400, not
 * the 500 client_java answers).
 */
final class RequestGate implements HttpListener.Handler {
    private static final Set<String> DEBUG_FORMATS = Set.of("openmetrics", "text", "prometheus-protobuf");
    static final String REALM = "Basic realm=\"tcp-footgun-exporter\", charset=\"UTF-8\"";

    interface Route {
        HttpResponse serve(HttpRequest request);
    }

    private final String telemetryPath;
    private final Map<String, Route> routes;

    /** @param routes by exact path */
    RequestGate(String telemetryPath, Map<String, Route> routes) {
        this.telemetryPath = telemetryPath;
        this.routes = Map.copyOf(routes);
    }

    @Override
    public HttpResponse handle(HttpRequest r, WebConfigFile.Current config) {
        if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
            return HttpResponse.text(405, "Method Not Allowed\n").with("Allow", "GET, HEAD");
        }
        if (config.limiter() != null && !config.limiter().allow()) {
            return HttpResponse.text(429, "Too Many Requests\n");
        }
        if (config.auth() != null) {
            switch (config.auth().check(r.header("authorization"), r.client())) {
                case UNAUTHORIZED -> {
                    return HttpResponse.text(401, "Unauthorized\n").with("WWW-Authenticate", REALM);
                }
                case TOO_MANY -> {
                    return HttpResponse.text(429, "Too Many Requests: too many failed logins from this address\n")
                            .with("Retry-After", Long.toString(BasicAuth.FAILURE_REFILL_MILLIS / 1000));
                }
                case OK -> { }
            }
        }
        Route route = routes.get(r.path());
        if (route == null) {
            // echo a bounded part of the path: the request line itself can be kilobytes
            String p = r.path();
            return HttpResponse.text(404, "404 page not found: " + (p.length() > 100 ? p.substring(0, 100) + "..." : p) + "\n");
        }
        if (r.path().equals(telemetryPath) && !debugParameterOk(r.rawQuery())) {
            return HttpResponse.text(400, "Bad Request: debug= must be openmetrics, text or prometheus-protobuf\n");
        }
        return route.serve(r);
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

package dev.tcpfootgun.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.config.WebConfig;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.FootgunCollector;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Scraper;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP side: metrics (text or OpenMetrics by Accept header), "/" and /-/healthy; over TLS and
 * behind basic auth when --web.config.file says so (every path, the health check included).
 */
public final class ExporterServer implements AutoCloseable {

    private final HTTPServer server;

    private ExporterServer(HTTPServer server) {
        this.server = server;
    }

    /**
     * Limits of the JDK's HTTP server (sun.net.httpserver.*), unless set with -D: a request must
     * arrive within 10 s and a response go out within 60 s, so slow or stalled clients cannot hold
     * the 10 handler threads; a request's headers and request line are capped at 1 MiB in 1000 lines,
     * which bounds what each of those threads can be made to buffer. Beyond that the JDK closes the
     * connection without a status; below it, RequestGate answers 414 or 431 from its tighter limits.
     * Read once, when the server class loads.
     */
    static void limitClients() {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "10");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "60");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqHeaderSize", Integer.toString(1024 * 1024));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqHeaders", "1000");
    }

    public static ExporterServer start(Settings settings, Scraper scraper, String version) throws IOException {
        limitClients();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new FootgunCollector(scraper, new MetricsRenderer(version, settings.netnsTop(),
                DestinationLabels.of(settings.destinationLabels()))));
        HTTPServer.Builder b = HTTPServer.builder()
                .port(settings.listenAddress().port())
                .registry(registry)
                .metricsHandlerPath(settings.telemetryPath())
                .registerHealthHandler(true)
                .defaultHandler(new LandingPage(scraper, settings.telemetryPath(), version,
                        DestinationLabels.of(settings.destinationLabels())));
        if (settings.listenAddress().host() != null) {
            b.hostname(settings.listenAddress().host());
        }
        WebConfig web = settings.webConfig();
        if (web != null && web.tls() != null) {
            b.httpsConfigurator(configurator(web.tls()));
        }
        b.authenticator(new RequestGate(settings.telemetryPath(),
                web != null && !web.users().isEmpty() ? new BcryptAuthenticator(web.users()) : null));
        return new ExporterServer(b.buildAndStart());
    }

    /** TLS with the web config's versions and client-certificate policy on every connection. */
    static HttpsConfigurator configurator(WebConfig.Tls tls) {
        return new HttpsConfigurator(tls.context()) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setProtocols(tls.protocols().toArray(String[]::new));
                switch (tls.clientAuth()) {
                    case REQUIRE_AND_VERIFY -> p.setNeedClientAuth(true);
                    case VERIFY_IF_GIVEN -> p.setWantClientAuth(true);
                    case NONE -> { }
                }
                params.setSSLParameters(p);
            }
        };
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}

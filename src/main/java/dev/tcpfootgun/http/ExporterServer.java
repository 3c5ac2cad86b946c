package dev.tcpfootgun.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import dev.tcpfootgun.config.ListenAddress;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.config.WebConfig;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.ExporterMetrics;
import dev.tcpfootgun.metrics.FootgunCollector;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Scraper;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP side: metrics (text or OpenMetrics by Accept header), "/" and /-/healthy; over TLS and
 * behind basic auth when --web.config.file says so (every path, the health check included). One
 * listener per --web.listen-address, all serving the same registry.
 */
public final class ExporterServer implements AutoCloseable {

    private final List<HTTPServer> servers;
    private final List<ListenAddress> addresses;

    private ExporterServer(List<HTTPServer> servers, List<ListenAddress> addresses) {
        this.servers = servers;
        this.addresses = addresses;
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

    /** Listens on every address or on none: an address that cannot be bound closes the others and names itself. */
    public static ExporterServer start(Settings settings, Scraper scraper, String version) throws IOException {
        limitClients();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new FootgunCollector(scraper, new MetricsRenderer(version, settings.netnsTop(),
                DestinationLabels.of(settings.destinationLabels()), settings.ignoredDevices())));
        if (settings.exporterMetrics()) {
            ExporterMetrics.register(registry);
        }
        List<HTTPServer> started = new ArrayList<>();
        List<ListenAddress> bound = new ArrayList<>();
        for (ListenAddress at : settings.listenAddresses()) {
            try {
                HTTPServer server = listener(settings, scraper, version, registry, at);
                started.add(server);
                bound.add(new ListenAddress(at.host(), server.getPort()));
            } catch (IOException | RuntimeException e) {
                started.forEach(HTTPServer::close);
                throw new IOException("cannot listen on " + at + ": " + e.getMessage(), e);
            }
        }
        return new ExporterServer(List.copyOf(started), List.copyOf(bound));
    }

    private static HTTPServer listener(Settings settings, Scraper scraper, String version, PrometheusRegistry registry,
            ListenAddress at) throws IOException {
        HTTPServer.Builder b = HTTPServer.builder()
                .port(at.port())
                .registry(registry)
                .metricsHandlerPath(settings.telemetryPath())
                .registerHealthHandler(true)
                .defaultHandler(new LandingPage(scraper, settings.telemetryPath(), version,
                        DestinationLabels.of(settings.destinationLabels())));
        if (at.host() != null) {
            b.hostname(at.host());
        }
        WebConfig web = settings.webConfig();
        if (web != null && web.tls() != null) {
            b.httpsConfigurator(configurator(web.tls()));
        }
        b.authenticator(new RequestGate(settings.telemetryPath(),
                web != null && !web.users().isEmpty() ? new BcryptAuthenticator(web.users()) : null));
        return b.buildAndStart();
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

    /** The port of the first address (the one a port-0 caller such as train asked for). */
    public int port() {
        return addresses.getFirst().port();
    }

    /** Where it listens, with the ports the kernel gave to port-0 addresses. */
    public List<ListenAddress> addresses() {
        return addresses;
    }

    @Override
    public void close() {
        servers.forEach(HTTPServer::close);
    }
}

package dev.tcpfootgun.http;

import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.metrics.FootgunCollector;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Scraper;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;

/** The HTTP side: metrics (text or OpenMetrics by Accept header), "/" and /-/healthy. */
public final class ExporterServer implements AutoCloseable {

    private final HTTPServer server;

    private ExporterServer(HTTPServer server) {
        this.server = server;
    }

    public static ExporterServer start(Settings settings, Scraper scraper, String version) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new FootgunCollector(scraper, new MetricsRenderer(version, settings.netnsTop())));
        HTTPServer.Builder b = HTTPServer.builder()
                .port(settings.listenAddress().port())
                .registry(registry)
                .metricsHandlerPath(settings.telemetryPath())
                .registerHealthHandler(true)
                .defaultHandler(new LandingPage(scraper, settings.telemetryPath(), version));
        if (settings.listenAddress().host() != null) {
            b.hostname(settings.listenAddress().host());
        }
        return new ExporterServer(b.buildAndStart());
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}

package dev.tcpfootgun.web;

import dev.tcpfootgun.config.ListenAddress;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.metrics.ExporterMetrics;
import dev.tcpfootgun.metrics.FootgunCollector;
import dev.tcpfootgun.metrics.MetricsRenderer;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.Scraper;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The HTTP side: metrics (text or OpenMetrics by Accept header), "/", /findings.json and
 * /-/healthy on every --web.listen-address; over TLS and behind basic auth when the web config says
 * so (every path, the health check included).
 */
public final class ExporterServer implements AutoCloseable {

    private final HttpListener listener;
    private final WebConfigFile config;
    private final List<ListenAddress> addresses;

    private ExporterServer(HttpListener listener, WebConfigFile config, List<ListenAddress> addresses) {
        this.listener = listener;
        this.config = config;
        this.addresses = List.copyOf(addresses);
    }

    /**
     * Listens on every address or on none: one that cannot be bound closes the others and names itself
     * in the IOException.
     *
     * @param web the web config as loaded at start-up ({@link WebConfig#none()} without the flag)
     * @param findingsJson /findings.json's document for an assessment (doctor's JSON, passed in by Main)
     */
    public static ExporterServer start(Settings settings, List<ListenAddress> addresses, WebConfig web, Scraper scraper,
            String version, Function<Assessment, String> findingsJson) throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        DestinationLabels labels = DestinationLabels.of(settings.destinationLabels());
        registry.register(new FootgunCollector(scraper, new MetricsRenderer(version, settings.netnsTop(), settings.destinationsTop(),
                labels, settings.ignoredDevices())));
        if (settings.exporterMetrics()) {
            ExporterMetrics.register(registry);
        }
        LandingPage landing = new LandingPage(scraper, settings.telemetryPath(), version, labels, findingsJson);
        Map<String, RequestGate.Route> routes = new LinkedHashMap<>();
        routes.put(settings.telemetryPath(), new MetricsRoute(registry));
        routes.put("/", landing::page);
        routes.put("/findings.json", landing::findings);
        routes.put("/-/healthy", r -> HttpResponse.text(200, "Exporter is Healthy.\n"));
        WebConfigFile file = new WebConfigFile(web);
        return new ExporterServer(new HttpListener(addresses, file, new RequestGate(settings.telemetryPath(), routes), settings.maxRequests()), file,
                addresses);
    }

    /** The first address's bound port (the one chosen when it asked for port 0). */
    public int port() {
        return listener.ports().get(0);
    }

    /** Where it listens, with the ports the kernel gave to port-0 addresses. */
    public List<ListenAddress> addresses() {
        List<Integer> ports = listener.ports();
        return java.util.stream.IntStream.range(0, ports.size())
                .mapToObj(i -> new ListenAddress(addresses.get(i).host(), ports.get(i))).toList();
    }

    /** Re-reads the web config now (SIGHUP); changes are otherwise picked up by the next connection. */
    public void reloadWebConfig(String why) {
        config.reload(why);
    }

    /** Stops accepting and lets requests in flight finish within {@code grace}. */
    public void drain(Duration grace) {
        listener.drain(grace);
    }

    @Override
    public void close() {
        listener.close();
    }
}

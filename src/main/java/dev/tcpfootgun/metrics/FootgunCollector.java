package dev.tcpfootgun.metrics;

import dev.tcpfootgun.scrape.Scraper;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;

/**
 * The exporter's one collector: each scrape reads the node once (shared with concurrent scrapes) and
 * renders it, within the scraper's deadline: Prometheus's X-Prometheus-Scrape-Timeout-Seconds minus
 * a margin, capped by --scrape.timeout.
 */
public final class FootgunCollector implements MultiCollector {

    public static final String TIMEOUT_HEADER = "X-Prometheus-Scrape-Timeout-Seconds";
    /** Left of Prometheus's timeout for judging, rendering and the response to travel: a quarter of it, at most this. */
    static final Duration MARGIN = Duration.ofMillis(500);

    private final Scraper scraper;
    private final MetricsRenderer renderer;

    public FootgunCollector(Scraper scraper, MetricsRenderer renderer) {
        this.scraper = scraper;
        this.renderer = renderer;
    }

    @Override
    public MetricSnapshots collect() {
        return scraper.use(scraper.timeout(), renderer::render);
    }

    @Override
    public MetricSnapshots collect(PrometheusScrapeRequest request) {
        String header = request instanceof PrometheusHttpRequest http ? http.getHeader(TIMEOUT_HEADER) : null;
        return scraper.use(budget(header, scraper.timeout()), renderer::render);
    }

    /**
     * The read's budget for a scrape: the header's seconds minus a margin (a quarter of them, at most
     * {@link #MARGIN}), never above {@code cap}; {@code cap} when the header is missing or not a
     * positive number.
     */
    static Duration budget(String header, Duration cap) {
        if (header == null) {
            return cap;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(header.trim());
        } catch (NumberFormatException e) {
            return cap;
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            return cap;
        }
        long nanos = (long) (seconds * 1e9);
        long budget = nanos - Math.min(MARGIN.toNanos(), nanos / 4);
        return Duration.ofNanos(Math.min(budget, cap.toNanos()));
    }
}

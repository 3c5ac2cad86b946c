package dev.tcpfootgun.metrics;

import dev.tcpfootgun.scrape.Scraper;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/** The exporter's one collector: each scrape reads the node once (shared with concurrent scrapes) and renders it. */
public final class FootgunCollector implements MultiCollector {

    private final Scraper scraper;
    private final MetricsRenderer renderer;

    public FootgunCollector(Scraper scraper, MetricsRenderer renderer) {
        this.scraper = scraper;
        this.renderer = renderer;
    }

    @Override
    public MetricSnapshots collect() {
        return renderer.render(scraper.assess());
    }
}

package dev.tcpfootgun.web;

import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.Scraper;
import java.util.function.Function;

/**
 * "/" : a page linking to the metrics, with this node's findings rendered from the same checks as
 * /metrics; and /findings.json, whose renderer the composition root passes in (it is doctor's JSON,
 * and the web layer does not reach up into doctor/). Plain HTML, readable without JavaScript.
 */
final class LandingPage {

    private final Scraper scraper;
    private final String telemetryPath;
    private final String version;
    private final DestinationLabels labels;
    private final Function<Assessment, String> findingsJson;

    /** @param labels shows the addresses in the findings' text as --destinations.labels asks of the metrics */
    LandingPage(Scraper scraper, String telemetryPath, String version, DestinationLabels labels,
            Function<Assessment, String> findingsJson) {
        this.scraper = scraper;
        this.telemetryPath = telemetryPath;
        this.version = version;
        this.labels = labels;
        this.findingsJson = findingsJson;
    }

    HttpResponse page(HttpRequest r) {
        return HttpResponse.of(200, "text/html; charset=utf-8", scraper.use(scraper.timeout(), this::page));
    }

    HttpResponse findings(HttpRequest r) {
        return HttpResponse.of(200, "application/json", scraper.use(scraper.timeout(), findingsJson));
    }

    String page(Assessment a) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>tcp-footgun-exporter</title>")
                .append("<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}")
                .append("table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}")
                .append(".ok{background:#e6f4ea}.advice{background:#e8f0fe}.warn{background:#fff4ce}.critical{background:#fde2e1}.unknown{background:#eee}</style></head><body>")
                .append("<h1>tcp-footgun-exporter</h1><p>Version ").append(esc(version)).append(". ")
                .append("<a href=\"").append(esc(telemetryPath)).append("\">Metrics</a> · <a href=\"/findings.json\">Findings as JSON</a> · <a href=\"/-/healthy\">Health</a></p>")
                .append("<h2>Findings on this node</h2><table><tr><th>Footgun</th><th>Status</th><th>Risk</th><th>Evidence</th><th>Fix</th></tr>");
        for (Finding f : a.findings()) {
            b.append("<tr class=\"").append(f.status().label()).append("\"><td id=\"").append(f.footgun().readmeAnchor()).append("\">")
                    .append(esc(f.footgun().title())).append("<br><code>").append(f.footgun().id()).append("</code></td><td>")
                    .append(f.status().label()).append("</td><td>")
                    .append(Double.isNaN(f.risk()) ? "–" : String.format(java.util.Locale.ROOT, "%.2f", f.risk())).append("</td><td>");
            if (f.missing() != null) {
                b.append("missing: ").append(esc(f.missing()));
            }
            for (String e : labels.evidence(f)) {
                b.append(esc(e)).append("<br>");
            }
            b.append("</td><td>").append(esc(labels.fix(f))).append("</td></tr>");
        }
        return b.append("</table></body></html>\n").toString();
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}

package dev.tcpfootgun.web;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The metrics path, served by client_java's own scrape handler (content negotiation for text and
 * OpenMetrics, gzip, ?debug=, name[] filters) through its adapter interface, onto this server; a
 * plain scrape (no ?debug= or name[], text or OpenMetrics 1.0 negotiated as client_java negotiates
 * them) is written by {@link ExpositionWriter} instead, the same bytes for a fifth of the CPU.
 */
final class MetricsRoute implements RequestGate.Route {
    /**
     * Where the body is written: platform threads, at most {@link #WRITER_THREADS}, made when a scrape
     * needs one and gone after 60 s idle. On a virtual thread the JDK's BufferedWriter, which
     * client_java's text writers wrap the body in, starts at 512 chars and grows by each write's length
     * up to 8192, copying its buffer on every write: 17 MiB of char[] a scrape for 600 series, which
     * grew the heap by 22 MiB (BENCHMARKS.md). A scrape that finds every writer busy is written on its
     * own thread at once, as before (more garbage, the same answer): queued instead, it would miss the
     * read the scrapes in flight share, and more writers would be more threads per scrape.
     */
    static final int WRITER_THREADS = 4;

    private static final ExecutorService WRITERS = writers();

    private static ExecutorService writers() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, WRITER_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "metrics-write-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.CallerRunsPolicy());
    }

    private final PrometheusScrapeHandler handler;
    private final PrometheusRegistry registry;
    /** The handler's own negotiation: the same properties, the same writers to choose between. */
    private final ExpositionFormats formats;
    /** Null when client_java's properties ask for what only its writers do (created timestamps, exemplars everywhere, a name filter). */
    private final ExpositionWriter text;
    private final ExpositionWriter openMetrics;
    /** The last body's size, so the next starts big enough (as the handler does). */
    private final AtomicInteger lastSize = new AtomicInteger(64 * 1024);

    MetricsRoute(PrometheusRegistry registry) {
        PrometheusProperties properties = PrometheusProperties.get();
        this.handler = new PrometheusScrapeHandler(properties, registry);
        this.registry = registry;
        this.formats = ExpositionFormats.init(properties);
        boolean plainProperties = !properties.getExporterProperties().getIncludeCreatedTimestamps()
                && !properties.getExporterProperties().getExemplarsOnAllMetricTypes() && noFilter(properties.getExporterFilterProperties());
        this.text = plainProperties ? new ExpositionWriter(ExpositionWriter.Format.TEXT, formats.getPrometheusTextFormatWriter()) : null;
        this.openMetrics = plainProperties
                ? new ExpositionWriter(ExpositionWriter.Format.OPENMETRICS, formats.getOpenMetricsTextFormatWriter()) : null;
    }

    private static boolean noFilter(ExporterFilterProperties f) {
        return empty(f.getAllowedMetricNames()) && empty(f.getExcludedMetricNames()) && empty(f.getAllowedMetricNamePrefixes())
                && empty(f.getExcludedMetricNamePrefixes());
    }

    private static boolean empty(List<String> l) {
        return l == null || l.isEmpty();
    }

    @Override
    public HttpResponse serve(HttpRequest r) {
        Future<HttpResponse> written = WRITERS.submit(() -> write(r));
        try {
            return written.get();
        } catch (InterruptedException e) {
            written.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the metrics were written", e);
        } catch (ExecutionException e) {
            // as thrown on this thread before: an OutOfMemoryError still reaches OutOfMemoryExit
            switch (e.getCause()) {
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IllegalStateException(e.getCause());
            }
        }
    }

    private HttpResponse write(HttpRequest r) {
        Map<String, String> headers = new LinkedHashMap<>();
        PrometheusHttpRequest request = adapter(r);
        try {
            ExpositionWriter.Body body = ownBody(r, request, headers);
            int status = 200;
            if (body == null) {
                body = new ExpositionWriter.Body(64 * 1024);
                status = viaHandler(request, headers, body);
            }
            if (status == 200 && acceptsGzip(r)) {
                // client_java's gzip is level 6; level 1 takes a third of its CPU for a body 15 % larger
                ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.size() / 4 + 64);
                try (GZIPOutputStream gzip = new GZIPOutputStream(zipped, 8192) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                }) {
                    body.writeTo(gzip);
                }
                headers.remove("Content-Length"); // the plain body's; the response states its own
                headers.put("Content-Encoding", "gzip");
                return new HttpResponse(status, headers, zipped.toByteArray());
            }
            return new HttpResponse(status, headers, body.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The body and headers of a plain scrape as the handler would make them (Content-Type, then
     * Content-Length when not empty; no body for HEAD), written by {@link ExpositionWriter}; null
     * when the scrape is the handler's: ?debug=, name[], a query it cannot parse, protobuf,
     * OpenMetrics 2, dots escaping, or an Accept header it would fail on.
     */
    private ExpositionWriter.Body ownBody(HttpRequest r, PrometheusHttpRequest request, Map<String, String> headers) throws IOException {
        if (text == null) {
            return null;
        }
        String accept;
        ExpositionFormatWriter chosen;
        EscapingScheme scheme;
        try {
            if (request.getParameterValues("name[]") != null || request.getParameter("debug") != null) {
                return null;
            }
            accept = request.getHeader("Accept");
            chosen = formats.findWriter(accept);
            scheme = EscapingScheme.fromAcceptHeader(accept, EscapingScheme.DEFAULT);
        } catch (RuntimeException e) {
            return null; // the handler answers it as it does
        }
        ExpositionWriter own = chosen == formats.getPrometheusTextFormatWriter() ? text
                : chosen == formats.getOpenMetricsTextFormatWriter() ? openMetrics : null;
        if (own == null || !ExpositionWriter.writesAsIs(scheme)) {
            return null;
        }
        MetricSnapshots snapshots = registry.scrape(request);
        ExpositionWriter.Body body = new ExpositionWriter.Body(lastSize.get() + 1024);
        own.write(body, snapshots, scheme);
        lastSize.set(body.size());
        headers.put("Content-Type", chosen.getContentType());
        if (body.size() > 0) {
            headers.put("Content-Length", Integer.toString(body.size()));
        }
        if (r.method().equals("HEAD")) {
            body.reset();
        }
        return body;
    }

    /** client_java's handler answers; its status, its headers into {@code headers}, its body into {@code body}. */
    private int viaHandler(PrometheusHttpRequest request, Map<String, String> headers, ExpositionWriter.Body body) throws IOException {
        int[] status = {500};
        PrometheusHttpResponse response = new PrometheusHttpResponse() {
            @Override
            public void setHeader(String name, String value) {
                headers.put(name, value);
            }

            @Override
            public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) {
                status[0] = statusCode;
                return body;
            }
        };
        handler.handleRequest(new PrometheusHttpExchange() {
            @Override
            public PrometheusHttpRequest getRequest() {
                return request;
            }

            @Override
            public PrometheusHttpResponse getResponse() {
                return response;
            }

            @Override
            public void handleException(IOException e) throws IOException {
                throw e;
            }

            @Override
            public void handleException(RuntimeException e) {
                throw e;
            }

            @Override
            public void close() {
                // the body is in memory; the connection is the listener's
            }
        });
        return status[0];
    }

    private static PrometheusHttpRequest adapter(HttpRequest r) {
        return new PrometheusHttpRequest() {
            @Override
            public String getQueryString() {
                return r.rawQuery();
            }

            @Override
            public Enumeration<String> getHeaders(String name) {
                String key = name.toLowerCase(java.util.Locale.ROOT);
                List<String> v = key.equals("accept-encoding") ? null : r.headers().get(key);
                return v == null ? Collections.emptyEnumeration() : Collections.enumeration(v);
            }

            @Override
            public String getMethod() {
                return r.method();
            }

            @Override
            public String getRequestPath() {
                return r.path();
            }
        };
    }

    /** As client_java decides it (an Accept-Encoding item equal to gzip), hidden from it so the level is ours; ?debug= stays plain. */
    private static boolean acceptsGzip(HttpRequest r) {
        List<String> values = r.headers().get("accept-encoding");
        if (values == null || r.rawQuery() != null && r.rawQuery().contains("debug=")) {
            return false;
        }
        for (String v : values) {
            for (String item : v.split(",")) {
                if (item.trim().equalsIgnoreCase("gzip")) {
                    return true;
                }
            }
        }
        return false;
    }
}

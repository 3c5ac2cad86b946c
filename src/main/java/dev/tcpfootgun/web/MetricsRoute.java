package dev.tcpfootgun.web;

import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
 * OpenMetrics, gzip, ?debug=, name[] filters) through its adapter interface, onto this server.
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

    MetricsRoute(PrometheusRegistry registry) {
        this.handler = new PrometheusScrapeHandler(registry);
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
        ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
        int[] status = {500};
        PrometheusHttpRequest request = new PrometheusHttpRequest() {
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
        try {
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
            if (status[0] == 200 && acceptsGzip(r)) {
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
                return new HttpResponse(status[0], headers, zipped.toByteArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HttpResponse(status[0], headers, body.toByteArray());
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

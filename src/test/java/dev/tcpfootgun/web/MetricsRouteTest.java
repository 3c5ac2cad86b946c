package dev.tcpfootgun.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.ListenAddress;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The metrics path over real HTTP: the body is written on a platform thread, not on the
 * connection's virtual thread (where the JDK's BufferedWriter copies its buffer on every write
 * while it grows), and a collector's failure is still the listener's 500.
 */
class MetricsRouteTest {

    private static java.net.http.HttpResponse<String> scrape(PrometheusRegistry registry) throws Exception {
        try (HttpListener l = new HttpListener(List.of(new ListenAddress("127.0.0.1", 0)), new WebConfigFile(WebConfig.none()),
                new RequestGate("/metrics", Map.of("/metrics", new MetricsRoute(registry))), 0);
                HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + l.ports().get(0) + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofString());
        }
    }

    @Test
    void theBodyIsWrittenOnAPlatformThread() throws Exception {
        ConcurrentLinkedQueue<Thread> collectedOn = new ConcurrentLinkedQueue<>();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> {
            collectedOn.add(Thread.currentThread());
            return MetricSnapshots.of(GaugeSnapshot.builder().name("route_test_value").help("a value")
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(42).build()).build());
        });
        var response = scrape(registry);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("# HELP route_test_value a value\n").contains("route_test_value 42.0\n");
        assertThat(collectedOn).hasSize(1);
        assertThat(collectedOn.peek().isVirtual()).as("written on " + collectedOn.peek()).isFalse();
    }

    /**
     * Many scrapes at once: at most WRITER_THREADS platform threads (ScrapeLoadIT's 50 clients had made
     * 58), every scrape answered, and all of them in flight together (none queued behind the writers,
     * where it would miss the read the others share).
     */
    @Test
    void concurrentScrapesUseABoundedSetOfWriterThreadsAndNoneWaits() throws Exception {
        int scrapes = 12;
        java.util.Set<Thread> platform = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch allInside = new java.util.concurrent.CountDownLatch(scrapes);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> {
            if (!Thread.currentThread().isVirtual()) {
                platform.add(Thread.currentThread());
            }
            allInside.countDown();
            try {
                // every scrape must be inside at once: one queued behind the writers would never arrive
                assertThat(allInside.await(20, java.util.concurrent.TimeUnit.SECONDS)).as("all scrapes collected at once").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return MetricSnapshots.of(GaugeSnapshot.builder().name("route_test_value").help("a value")
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1).build()).build());
        });
        try (HttpListener l = new HttpListener(List.of(new ListenAddress("127.0.0.1", 0)), new WebConfigFile(WebConfig.none()),
                new RequestGate("/metrics", Map.of("/metrics", new MetricsRoute(registry))), 0);
                HttpClient client = HttpClient.newHttpClient();
                var pool = java.util.concurrent.Executors.newFixedThreadPool(scrapes)) {
            URI uri = URI.create("http://127.0.0.1:" + l.ports().get(0) + "/metrics");
            List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < scrapes; i++) {
                statuses.add(pool.submit(() -> client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                        BodyHandlers.discarding()).statusCode()));
            }
            for (var s : statuses) {
                assertThat(s.get()).isEqualTo(200);
            }
        }
        assertThat(allInside.getCount()).isZero();
        assertThat(platform).as("platform writer threads").isNotEmpty().hasSizeLessThanOrEqualTo(MetricsRoute.WRITER_THREADS);
    }

    @Test
    void aCollectorThatFailsIsA500() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> {
            throw new IllegalStateException("collector broken (thrown by the test)");
        });
        var response = scrape(registry);
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("Internal Server Error\n");
    }

    @Test
    void gzipIsTheSameBodyCompressedAndDebugStaysPlain() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> {
            GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name("route_test_series").help("many series");
            for (int i = 0; i < 500; i++) {
                gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .labels(io.prometheus.metrics.model.snapshots.Labels.of("n", Integer.toString(i))).value(i).build());
            }
            return MetricSnapshots.of(gauge.build());
        });
        try (HttpListener l = new HttpListener(List.of(new ListenAddress("127.0.0.1", 0)), new WebConfigFile(WebConfig.none()),
                new RequestGate("/metrics", Map.of("/metrics", new MetricsRoute(registry))), 0);
                HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + l.ports().get(0) + "/metrics";
            var plain = client.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(30)).build(),
                    BodyHandlers.ofByteArray());
            var zipped = client.send(HttpRequest.newBuilder(URI.create(base)).header("Accept-Encoding", "br, GZIP")
                    .timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofByteArray());
            var debug = client.send(HttpRequest.newBuilder(URI.create(base + "?debug=text")).header("Accept-Encoding", "gzip")
                    .timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofByteArray());

            assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(new String(plain.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("route_test_series{n=\"499\"} 499.0\n");
            assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(zipped.headers().firstValue("Content-Type")).isEqualTo(plain.headers().firstValue("Content-Type"));
            assertThat(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(zipped.body())).readAllBytes())
                    .isEqualTo(plain.body());
            assertThat(zipped.body().length).isLessThan(plain.body().length / 3);
            assertThat(debug.headers().firstValue("Content-Encoding")).isEmpty();
            assertThat(new String(debug.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("route_test_series{n=\"499\"} 499.0");
        }
    }

    /**
     * A plain scrape is ExpositionWriter's, anything else client_java's handler's: over real HTTP each
     * negotiated format is client_java's writer's bytes with its Content-Type and Content-Length, HEAD
     * has the headers and no body, and ?debug=, name[] and protobuf are answered as before.
     */
    @Test
    void ownWritersAnswerAsClientJavaWouldAndTheRestIsStillTheHandlers() throws Exception {
        java.util.List<io.prometheus.metrics.model.snapshots.MetricSnapshot> both = new java.util.ArrayList<>();
        ExpositionWriterTest.rich().forEach(both::add);
        ExpositionWriterTest.foreign().forEach(both::add);
        MetricSnapshots fixed = new MetricSnapshots(both);
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register((MultiCollector) () -> fixed);
        try (HttpListener l = new HttpListener(List.of(new ListenAddress("127.0.0.1", 0)), new WebConfigFile(WebConfig.none()),
                new RequestGate("/metrics", Map.of("/metrics", new MetricsRoute(registry))), 0);
                HttpClient client = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + l.ports().get(0) + "/metrics";
            java.util.function.BiFunction<String, String, java.net.http.HttpResponse<byte[]>> get = (query, accept) -> {
                try {
                    var b = HttpRequest.newBuilder(URI.create(base + query)).timeout(Duration.ofSeconds(30));
                    if (accept != null) {
                        b.header("Accept", accept);
                    }
                    return client.send(b.build(), BodyHandlers.ofByteArray());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            var om = get.apply("", "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5");
            var text = get.apply("", "text/plain;version=0.0.4");
            var browser = get.apply("", null);
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            // the handler's writers, as its properties make them (the text format's timestamps in seconds)
            var handlers = io.prometheus.metrics.expositionformats.ExpositionFormats.init();
            handlers.getOpenMetricsTextFormatWriter().write(expected, fixed,
                    io.prometheus.metrics.config.EscapingScheme.DEFAULT);
            assertThat(om.statusCode()).isEqualTo(200);
            assertThat(om.headers().firstValue("Content-Type")).hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
            assertThat(om.headers().firstValue("Content-Length")).hasValue(Integer.toString(expected.size()));
            assertThat(om.body()).isEqualTo(expected.toByteArray());
            expected.reset();
            handlers.getPrometheusTextFormatWriter().write(expected, fixed,
                    io.prometheus.metrics.config.EscapingScheme.DEFAULT);
            assertThat(text.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(new String(text.body(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(expected.toString(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(text.body()).isEqualTo(expected.toByteArray());
            assertThat(browser.headers().firstValue("Content-Type")).isEqualTo(text.headers().firstValue("Content-Type"));
            assertThat(browser.body()).isEqualTo(expected.toByteArray());

            // the handler's: debug output (client_java's writer, plain text type), a name filter, protobuf
            var debug = get.apply("?debug=openmetrics", null);
            assertThat(debug.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
            assertThat(debug.body()).isEqualTo(om.body());
            var named = get.apply("?name[]=rich_values", "text/plain");
            assertThat(new String(named.body(), java.nio.charset.StandardCharsets.UTF_8)).startsWith("# HELP rich_values ")
                    .doesNotContain("rich_requests");
            var proto = get.apply("", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
            assertThat(proto.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/vnd.google.protobuf");
            var dots = get.apply("", "text/plain;version=0.0.4;escaping=dots");
            assertThat(new String(dots.body(), java.nio.charset.StandardCharsets.UTF_8)).contains("rich__values");

            var head = client.send(HttpRequest.newBuilder(URI.create(base)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofByteArray());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(browser.body().length));
            assertThat(head.body()).isEmpty();
        }
    }
}

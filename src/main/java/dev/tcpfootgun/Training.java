package dev.tcpfootgun;

import dev.tcpfootgun.config.ListenAddress;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.doctor.Doctor;
import dev.tcpfootgun.web.ExporterServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code train} command: the training run of the container image's AOT cache (JEP 483, 514,
 * 515). Run once at image build time by a JVM started with the image's flags plus
 * {@code -XX:AOTCacheOutput=FILE}, it does what a real process does at start and while Prometheus
 * scrapes it, so that the classes it loads and links, and the profiles of the methods it runs, are
 * written to FILE when the JVM exits; started with {@code -XX:AOTCache=FILE}, the real process then
 * finds them there instead of loading, linking and profiling them again.
 *
 * <p>It starts the real server as serve does (the same code), but on 127.0.0.1 at a free port and
 * without the web config (TLS, basic auth); scrapes itself over HTTP {@value #SCRAPES} times with the
 * Accept and Accept-Encoding headers Prometheus sends, alternating OpenMetrics and text 0.0.4, gets
 * "/", "/findings.json" and "/-/healthy", stops the server and runs doctor once, its report discarded.
 * Sources that fail where it runs (a build container) only report success 0, as in serve; the exit
 * code is 1 only when the server could not listen or a request was not answered with 200, since the
 * cache would then lack the scrape path.
 */
final class Training {

    /**
     * Long enough that the code a scrape runs once is compiled within the training run: C1 compiles it in
     * bursts up to about the 33rd scrape under the image's flags, and a JVM started from a cache trained
     * over 20 scrapes still compiled it in bursts at its 20th-33rd scrape; trained over 80, by its 22nd
     * (bench/compile_timing.py; BENCHMARKS.md). About a second more of image build.
     */
    static final int SCRAPES = 80;

    private static final Logger LOG = LoggerFactory.getLogger(Training.class);

    /** Prometheus 3's Accept header for its default scrape protocols: OpenMetrics preferred. */
    static final String OPENMETRICS_ACCEPT = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
            + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

    /** Prometheus's Accept header with scrape_protocols: [PrometheusText0.0.4]. */
    static final String TEXT_ACCEPT = "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

    private Training() {}

    /**
     * @param serve starts the server as serve does (Main's start): passed in, so that the command line
     *     depends on the training run and not both ways
     */
    static int run(Settings settings, PrintStream err, java.util.function.BiFunction<Settings, PrintStream, ExporterServer> serve) {
        long started = System.nanoTime();
        Settings local = settings.forCommand("serve", List.of(new ListenAddress("127.0.0.1", 0)), settings.output());
        ExporterServer server = serve.apply(local, err);
        if (server == null) {
            return 1;
        }
        String base = "http://127.0.0.1:" + server.port();
        List<String> failures = new ArrayList<>();
        int requests = 0;
        try {
            for (int i = 0; i < SCRAPES; i++, requests++) {
                get(base + local.telemetryPath(), i % 2 == 0 ? OPENMETRICS_ACCEPT : TEXT_ACCEPT, failures);
            }
            for (String path : List.of("/", "/findings.json", "/-/healthy")) {
                get(base + path, "*/*", failures);
                requests++;
            }
        } finally {
            server.close();
        }
        Settings asDoctor = settings.forCommand("doctor", settings.listenAddresses(), "text");
        int doctor = Doctor.run(asDoctor, Exporter.scraper(asDoctor), new PrintStream(OutputStream.nullOutputStream()));
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (!failures.isEmpty()) {
            LOG.error("training: {} of {} requests failed: {}", failures.size(), requests, String.join("; ", failures));
            return 1;
        }
        LOG.info("training: {} requests answered, doctor exit {}, {} ms", requests, doctor, millis);
        return 0;
    }

    /** One GET as Prometheus makes it; anything but a 200 with a body is added to {@code failures}. */
    private static void get(String url, String accept, List<String> failures) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(10_000);
            c.setReadTimeout(60_000);
            c.setRequestProperty("Accept", accept);
            c.setRequestProperty("Accept-Encoding", "gzip");
            c.setRequestProperty("User-Agent", "Prometheus/3.0.0");
            c.setRequestProperty("X-Prometheus-Scrape-Timeout-Seconds", "10");
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            long bytes = 0;
            if (in != null) {
                try (in) {
                    bytes = in.transferTo(OutputStream.nullOutputStream());
                }
            }
            c.disconnect();
            if (status != 200 || bytes == 0) {
                failures.add(url + ": " + status + " with " + bytes + " bytes");
            }
        } catch (IOException e) {
            failures.add(url + ": " + e);
        }
    }
}

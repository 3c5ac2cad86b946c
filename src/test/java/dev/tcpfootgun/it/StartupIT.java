package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.Logfmt;
import dev.tcpfootgun.testing.MetricsText;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve opens its port first and reads the node after: a scrape made the moment the port accepts a
 * connection is answered in full. Over a net/tcp of {@value #SOCKETS} sockets the start-up read
 * takes long enough that such a scrape usually arrives while it is still in flight and shares it
 * (one read for both, footgun_scrape_reads_total 1); it may also come just after it (2). Which one
 * happened depends on timing, so both are accepted, and the test says which it saw.
 */
class StartupIT {

    static final int SOCKETS = 60_000;

    @Test
    void aScrapeTheMomentThePortOpensIsAnswered(@TempDir Path dir) throws Exception {
        FakeKernel kernel = FakeKernel.create(dir);
        Files.writeString(kernel.proc().resolve("net/tcp"), established(SOCKETS));
        Files.writeString(kernel.proc().resolve("net/tcp6"), "  sl  local_address remote_address st\n");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        try (ExporterProcess exporter = ExporterProcess.launch(null, List.of(), kernel.flags(port))) {
            boolean loggedBeforePortOpened = awaitPort(exporter, port);
            var first = ExporterProcess.get(url + "/metrics", null);
            assertThat(first.status()).isEqualTo(200);
            MetricsText m = MetricsText.parse(first.body());
            assertThat(m.get("footgun_scrape_collector_success", "collector", "sockets")).hasValue(1);
            assertThat(m.get("footgun_tcp_sockets", "family", "ipv4", "state", "established")).hasValue(SOCKETS);
            double reads = m.get("footgun_scrape_reads_total").orElseThrow();
            System.out.printf(Locale.ROOT, "StartupIT: first scrape saw %.0f read(s)%s; start-up log line %s when the port opened%n",
                    reads, reads == 1 ? " (it shared the start-up read)" : "",
                    loggedBeforePortOpened ? "already written" : "not yet written");
            // the start-up read and this scrape: one read when shared, two when the scrape came after it
            assertThat(reads).isBetween(1.0, 2.0);
            exporter.awaitStarted();
            assertThat(exporter.log()).anySatisfy(l -> assertThat(l).contains("listening on 127.0.0.1:" + port)
                    .contains("sources: sockets(procfs)"));
            double next = MetricsText.parse(ExporterProcess.get(url + "/metrics", null).body())
                    .get("footgun_scrape_reads_total").orElseThrow();
            assertThat(next).isEqualTo(reads + 1);
        }
    }

    /**
     * node_exporter's --version lines (prometheus/common version.Print), one pattern per line; the
     * fourth names the runtime, "go version" there, "java version" here. The same patterns are run
     * over node_exporter's own output when it is installed, so they describe its format, not ours.
     */
    static List<Pattern> versionLines(String program, String runtime) {
        return List.of(
                Pattern.compile("^" + Pattern.quote(program) + ", version (\\S+) \\(branch: (\\S+), revision: (\\S+)\\)$"),
                Pattern.compile("^" + label("build user") + "\\S.*$"),
                Pattern.compile("^" + label("build date") + "(\\d{8}-\\d{2}:\\d{2}:\\d{2}|unknown)$"),
                Pattern.compile("^" + label(runtime + " version") + "\\S+$"),
                Pattern.compile("^" + label("platform") + "linux/[a-z0-9]+$"));
    }

    /** Two spaces, the label and its colon, padded so that every value starts in column 21. */
    private static String label(String name) {
        return Pattern.quote(String.format(Locale.ROOT, "  %-18s", name + ":"));
    }

    @Test
    void versionPrintsNodeExportersFormatWithTheRevision() throws Exception {
        List<Pattern> patterns = versionLines("tcp-footgun-exporter", "java");
        if (Cmd.available("prometheus-node-exporter")) {
            List<String> theirs = Cmd.run("prometheus-node-exporter", "--version").lines().toList();
            assertThat(theirs).hasSize(patterns.size());
            List<Pattern> go = versionLines("node_exporter", "go");
            for (int i = 0; i < go.size(); i++) {
                assertThat(theirs.get(i)).as("node_exporter line " + (i + 1)).matches(go.get(i));
            }
        }
        String flag = run("--version");
        assertThat(run("version")).isEqualTo(flag);
        List<String> lines = flag.lines().toList();
        assertThat(lines).as(flag).hasSize(patterns.size());
        for (int i = 0; i < patterns.size(); i++) {
            assertThat(lines.get(i)).as("line " + (i + 1)).matches(patterns.get(i));
        }
        Matcher first = patterns.getFirst().matcher(lines.getFirst());
        assertThat(first.matches()).isTrue();
        assertThat(first.group(1)).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(lines.get(3)).endsWith(Runtime.version().toString());
        String head = gitHead();
        if (head != null) {
            // packaged from this work tree, whose .git the build read
            assertThat(first.group(3)).isEqualTo(head);
        } else {
            assertThat(first.group(3)).isEqualTo("unknown");
        }
    }

    /**
     * Every line on stderr, in each --log.format: serve's (the start-up line, a scrape's line from
     * the HTTP server's thread) and train's at debug, where the JDK's HttpURLConnection (library
     * code, through System.Logger and java.util.logging) logs each request it makes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"logfmt", "json"})
    void everyLogLineParsesWithTimeLevelAndSource(String format, @TempDir Path dir) throws Exception {
        FakeKernel kernel = FakeKernel.create(dir);
        int port = FakeKernel.freePort();
        List<String> flags = new ArrayList<>(List.of(kernel.flags(port)));
        flags.addAll(List.of("--log.level=debug", "--log.format=" + format));
        List<String> lines = new ArrayList<>();
        try (ExporterProcess exporter = ExporterProcess.start(null, flags.toArray(String[]::new))) {
            assertThat(ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null).status()).isEqualTo(200);
            // a source that vanishes is logged by the scrape, on the HTTP server's thread, not main
            Files.delete(kernel.proc().resolve("net/sockstat"));
            assertThat(ExporterProcess.get("http://127.0.0.1:" + port + "/metrics", null).status()).isEqualTo(200);
            lines.addAll(awaitLine(exporter, "collector sockstat unavailable"));
        }
        List<String> train = new ArrayList<>(List.of(ExporterProcess.java(), "-jar", ExporterProcess.JAR.toString(), "train"));
        train.addAll(List.of(kernel.flags(0)).subList(1, 4));
        train.addAll(List.of("--log.level=debug", "--log.format=" + format));
        Process p = new ProcessBuilder(train).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<String> trained = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join("\n", trained)).isZero();
        lines.addAll(trained);

        List<Map<String, String>> parsed = format.equals("json") ? parseJson(lines) : lines.stream().map(Logfmt::parse).toList();
        assertThat(parsed).hasSameSizeAs(lines);
        for (int i = 0; i < parsed.size(); i++) {
            Map<String, String> l = parsed.get(i);
            assertThat(l).as(lines.get(i)).containsKeys("time", "level", "source", "msg");
            assertThat(l.get("time")).as(lines.get(i)).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
            assertThat(l.get("level")).as(lines.get(i)).isIn("DEBUG", "INFO", "WARN", "ERROR");
            assertThat(l.get("source")).as(lines.get(i)).matches("\\S+\\.java:\\d+");
        }
        assertThat(parsed).as("the start-up line, with the version").anySatisfy(l -> {
            assertThat(l.get("msg")).startsWith("listening on 127.0.0.1:" + port);
            assertThat(l).containsKeys("version", "revision", "branch");
            assertThat(l.get("level")).isEqualTo("INFO");
        });
        assertThat(parsed).as("our scrape, logging from the HTTP handler's thread")
                .anySatisfy(l -> assertThat(l.get("msg")).contains("collector sockstat unavailable"));
        assertThat(parsed).as("the JDK's HttpURLConnection (train's requests), through java.util.logging at debug")
                .anySatisfy(l -> {
                    assertThat(l.get("logger")).isEqualTo("sun.net.www.protocol.http.HttpURLConnection");
                    assertThat(l.get("msg")).contains("GET /metrics");
                    assertThat(l.get("level")).isEqualTo("DEBUG");
                });
        assertThat(parsed).as("train's own summary").anySatisfy(l -> assertThat(l.get("msg")).contains("requests answered"));
    }

    /** The exporter's stderr lines once one contains {@code text} (within 30 s). */
    private static List<String> awaitLine(ExporterProcess exporter, String text) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end && exporter.log().stream().noneMatch(l -> l.contains(text))) {
            Thread.sleep(20);
        }
        return exporter.log();
    }

    /** Each line through python3's json module, the keys and values of each object handed back as text. */
    static List<Map<String, String>> parseJson(List<String> lines) throws Exception {
        Assumptions.assumeTrue(Cmd.available("python3"), "python3 is needed to parse the JSON lines");
        Path file = Files.createTempFile("eco-json-lines", ".txt");
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
            // one object per line, or python3 fails; printed back as logfmt-quoted pairs so Java reads them
            String script = String.join("\n",
                    "import json, sys",
                    "for line in open(sys.argv[1], encoding='utf-8'):",
                    "    o = json.loads(line)",
                    "    assert isinstance(o, dict), line",
                    "    assert all(isinstance(v, str) for v in o.values()), line",
                    "    print(' '.join(k + '=' + json.dumps(v) for k, v in o.items()))");
            return Cmd.run("python3", "-c", script, file.toString()).lines().map(Logfmt::parse).toList();
        } finally {
            Files.delete(file);
        }
    }

    private static String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ExporterProcess.java(), "-jar", ExporterProcess.JAR.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out;
    }

    private static String gitHead() {
        if (!Cmd.available("git")) {
            return null;
        }
        try {
            return Cmd.run("git", "rev-parse", "HEAD").strip();
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** Polls until the port accepts a connection; whether the start-up line was logged by then. */
    static boolean awaitPort(ExporterProcess exporter, int port) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            boolean logged = exporter.hasStarted();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return logged;
            } catch (IOException e) {
                if (!exporter.isAlive()) {
                    throw new IOException("exporter exited; log: " + exporter.log());
                }
                Thread.sleep(5);
            }
        }
        throw new IOException("port " + port + " not open within 30 s; log: " + exporter.log());
    }

    /** /proc/net/tcp with {@code n} established IPv4 sockets from 10.0.0.1 to 100 destinations on port 443. */
    static String established(int n) {
        StringBuilder b = new StringBuilder(160 * (n + 1));
        b.append("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
        for (int i = 0; i < n; i++) {
            b.append(String.format(Locale.ROOT,
                    "%4d: 0100000A:%04X %02X00000A:01BB 01 00000000:00000000 00:00000000 00000000  1000        0 %d 1 0000000000000000 20 4 30 10 -1%n",
                    i, 32_768 + i / 100, 2 + i % 100, 100_000 + i));
        }
        return b.toString();
    }
}

package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.RawHttp;
import dev.tcpfootgun.testing.TestCerts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris against the packaged jar, over plain HTTP and TLS at the same time: for 30 s, 300
 * connections from ten addresses dribble a request header one byte every 2 s and never finish it,
 * 100 more from four addresses do the same and reconnect whenever the server closes them, and one
 * address opens 200 (more than one client may hold). Over TLS half of the slow connections stall
 * inside the handshake and the others complete theirs (an EC P-256 server key, as a cost-aware
 * operator would choose: the attackers' full handshakes would otherwise make this a test of RSA
 * signing speed). Meanwhile a normal client scrapes /metrics once a second on a fresh connection:
 * every scrape must answer 200 and its p99, over HTTP and over TLS alike, stay within
 * {@value #P99_MULTIPLE} times the unloaded p99 plus {@value #P99_SLACK_MS} ms (the slack absorbs
 * the scheduling noise of a loaded 2-core runner; a starved server, as before, misses by seconds or
 * fails the scrape). Over TLS the part after the handshake (request sent to first byte back) is
 * held to the same rule: the server bounds the CPU handshakes take ({@code HandshakeCpu}), so a
 * request whose handshake is done is not queued behind the attackers' handshakes. Four such
 * clients run, from four addresses, so the 120 samples make a p99 that one stall of the machine
 * cannot decide alone.
 *
 * <p>The attackers run in a JVM of their own at nice 19: on a real node their CPU is on their own
 * machines, while here, on loopback, their client side of 100-200 TLS handshakes (measured 4-7 s
 * of CPU in a 34 s attack, against 1.3-2.5 s for the plain attack) would otherwise take the CPU
 * from the server and from the client that measures it, and the test would time the machine. The
 * server's side of every attacker handshake still runs at normal priority.
 */
class SlowClientsIT {
    static final int P99_MULTIPLE = 4;
    static final int P99_SLACK_MS = 300;
    static final int ATTACK_SECONDS = 30;
    static final List<String> NORMAL_CLIENTS = List.of("127.0.0.1", "127.0.0.17", "127.0.0.18", "127.0.0.19");

    @TempDir
    static Path dir;

    record Result(String name, List<Long> unloaded, List<Long> unloadedServed, List<RawHttp.Reply> loaded, int attackersCut,
            int attackersRefused) {}

    @Test
    void slowClientsDoNotStarveScrapesOverHttpOrTls() throws Exception {
        TestCerts certs = TestCerts.create(dir);
        Path config = Files.writeString(dir.resolve("tls.yml"), """
                tls_server_config:
                  cert_file: ec.crt
                  key_file: ec-sec1.key
                """);
        int plainPort = FakeKernel.freePort();
        int tlsPort = FakeKernel.freePort();
        SSLContext client = TestCerts.trusting(certs.file("ca.crt"));
        try (ExporterProcess plain = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + plainPort);
                ExporterProcess tls = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + tlsPort,
                        "--web.config.file=" + config)) {
            CompletableFuture<Result> a = CompletableFuture.supplyAsync(() -> attack("http", plainPort, null, null));
            CompletableFuture<Result> b = CompletableFuture.supplyAsync(() -> attack("https", tlsPort, client, certs.file("ca.crt")));
            for (Result r : List.of(a.get(), b.get())) {
                List<Long> loadedMillis = r.loaded().stream().map(RawHttp.Reply::millis).sorted().toList();
                long unloadedP99 = p99(r.unloaded());
                long loadedP99 = p99(loadedMillis);
                String summary = r.name() + ": unloaded p99 " + unloadedP99 + " ms " + r.unloaded() + ", under attack p99 "
                        + loadedP99 + " ms " + loadedMillis + "; slow connections the server cut " + r.attackersCut()
                        + ", refused " + r.attackersRefused();
                System.out.println(summary);
                r.loaded().stream().filter(x -> x.millis() > 2 * unloadedP99).forEach(x -> System.out.println("  slow: " + x.millis() + " ms (" + x.phases() + ")"));
                assertThat(r.loaded()).as(summary).allSatisfy(x -> assertThat(x.status()).as(x.error() + " " + x.head()).isEqualTo(200));
                assertThat(loadedP99).as(summary).isLessThanOrEqualTo(P99_MULTIPLE * unloadedP99 + P99_SLACK_MS);
                if (r.name().equals("https")) {
                    List<Long> served = r.loaded().stream().map(SlowClientsIT::afterHandshake).sorted().toList();
                    String servedSummary = "https, handshake done to first byte: unloaded p99 " + p99(r.unloadedServed()) + " ms "
                            + r.unloadedServed() + ", under attack p99 " + p99(served) + " ms " + served;
                    System.out.println(servedSummary);
                    assertThat(p99(served)).as(servedSummary).isLessThanOrEqualTo(P99_MULTIPLE * p99(r.unloadedServed()) + P99_SLACK_MS);
                }
            }
            assertThat(plain.isAlive()).isTrue();
            assertThat(tls.isAlive()).isTrue();
        }
    }

    static long p99(List<Long> millis) {
        List<Long> s = millis.stream().sorted().toList();
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(s.size() * 0.99) - 1));
    }

    /** From "handshake done" to "first byte" in a reply's phases: the server reading, serving and sending the request. */
    static long afterHandshake(RawHttp.Reply r) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("handshake done (\\d+), first byte (\\d+)").matcher(r.phases());
        return m.find() ? Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) : r.millis();
    }

    static Result attack(String name, int port, SSLContext tls, Path caFile) {
        List<Long> unloaded = new ArrayList<>();
        List<Long> unloadedServed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttp.get("127.0.0.1", port, tls, "/metrics"); // warm-up: class loading and JIT, not the server's steady state
        }
        for (int i = 0; i < 5; i++) {
            for (String from : NORMAL_CLIENTS) {
                RawHttp.Reply r = RawHttp.get(from, port, tls, "/metrics");
                assertThat(r.status()).as(r.error()).isEqualTo(200);
                unloaded.add(r.millis());
                unloadedServed.add(afterHandshake(r));
            }
            sleep(300);
        }
        List<RawHttp.Reply> loaded = Collections.synchronizedList(new ArrayList<>());
        int[] counts;
        try (Attackers slow = Attackers.start(port, caFile)) {
            sleep(2000); // the attack is in place before the first measured scrape
            long end = System.currentTimeMillis() + ATTACK_SECONDS * 1000L;
            // four normal clients, each scraping once a second: 120 samples, so that the p99 is a p99 and not the maximum
            List<Thread> normal = new ArrayList<>();
            for (String from : NORMAL_CLIENTS) {
                normal.add(Thread.ofPlatform().start(() -> {
                    while (System.currentTimeMillis() < end) {
                        long t = System.currentTimeMillis();
                        loaded.add(RawHttp.get(from, port, tls, "/metrics"));
                        sleep(Math.max(0, 1000 - (System.currentTimeMillis() - t)));
                    }
                }));
            }
            for (Thread t : normal) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            counts = slow.stop();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Result(name, unloaded, unloadedServed.stream().sorted().toList(), List.copyOf(loaded), counts[0], counts[1]);
    }

    /** The slow clients of one attack, in a JVM of their own at nice 19 (see the class comment). */
    record Attackers(Process process, java.io.BufferedReader out) implements AutoCloseable {
        static Attackers start(int port, Path caFile) throws IOException {
            List<String> cmd = new ArrayList<>();
            if (dev.tcpfootgun.testing.Cmd.available("nice")) {
                cmd.addAll(List.of("nice", "-n", "19"));
            }
            cmd.addAll(List.of(ExporterProcess.java(), "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    SlowClientsIT.class.getName(), Integer.toString(port), caFile == null ? "-" : caFile.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Attackers a = new Attackers(p, p.inputReader(StandardCharsets.UTF_8));
            String line = a.out().readLine(); // after every slow client was started
            if (!"attacking".equals(line)) {
                a.close();
                throw new IOException("the attackers did not start: " + line);
            }
            return a;
        }

        /** Stops the attack (closing the child's stdin) and returns {cut, refused}. */
        int[] stop() throws IOException {
            process.getOutputStream().close();
            String line = out.readLine();
            if (line == null || !line.startsWith("cut ")) {
                throw new IOException("the attackers did not report: " + line);
            }
            String[] f = line.split(" ");
            return new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[3])};
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /**
     * The attackers' JVM: {@code <port> <CA file, or - for plain HTTP>}. Starts every slow client,
     * prints "attacking", runs until its stdin closes, then prints "cut N refused M".
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        SSLContext tls = args[1].equals("-") ? null : TestCerts.trusting(Path.of(args[1]));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger cut = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try (ExecutorService slow = Executors.newVirtualThreadPerTaskExecutor()) {
            int n = 0;
            for (int a = 2; a <= 11; a++) {
                for (int i = 0; i < 30; i++, n++) {
                    String from = "127.0.0." + a;
                    boolean inHandshake = tls != null && n % 2 == 0;
                    slow.submit(() -> dribble(from, port, tls, inHandshake, false, stop, cut, refused));
                }
            }
            for (int a = 12; a <= 15; a++) {
                for (int i = 0; i < 25; i++, n++) {
                    String from = "127.0.0." + a;
                    boolean inHandshake = tls != null && n % 2 == 0;
                    slow.submit(() -> dribble(from, port, tls, inHandshake, true, stop, cut, refused));
                }
            }
            for (int i = 0; i < 200; i++) {
                slow.submit(() -> dribble("127.0.0.16", port, tls, tls != null, false, stop, cut, refused));
            }
            System.out.println("attacking");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
            stop.set(true);
            slow.shutdownNow();
        }
        System.out.println("cut " + cut.get() + " refused " + refused.get());
        System.out.flush();
        System.exit(0);
    }

    /**
     * One slow client: a request head sent one byte every 2 s and never finished (or, inHandshake,
     * the first bytes of a TLS ClientHello on a raw socket). Counts the server closing it; with
     * reconnect it opens a new one each time.
     */
    static void dribble(String from, int port, SSLContext tls, boolean inHandshake, boolean reconnect, AtomicBoolean stop,
            AtomicInteger cut, AtomicInteger refused) {
        byte[] head = inHandshake
                ? new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
                : "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                        .getBytes(StandardCharsets.US_ASCII);
        do {
            Socket s;
            try {
                s = RawHttp.connect(from, port, inHandshake ? null : tls, 5_000);
            } catch (IOException e) {
                refused.incrementAndGet(); // reset at once (over a per-client or total limit), or the handshake was
                sleep(100);
                continue;
            }
            long opened = System.currentTimeMillis();
            try (s) {
                s.setSoTimeout(100);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int i = 0; !stop.get(); i = (i + 1) % head.length) {
                    out.write(head[i]);
                    out.flush();
                    long until = System.currentTimeMillis() + 2000;
                    while (!stop.get() && System.currentTimeMillis() < until) {
                        try {
                            if (in.read() < 0) {
                                throw new IOException("closed");
                            }
                        } catch (java.net.SocketTimeoutException e) {
                            // still open
                        }
                    }
                }
                return;
            } catch (IOException e) {
                if (stop.get()) {
                    return;
                }
                // reset within a second: refused (the kernel had completed the TCP handshake before the server saw it); later: cut
                (System.currentTimeMillis() - opened < 1000 ? refused : cut).incrementAndGet();
                sleep(100);
            }
        } while (reconnect && !stop.get());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

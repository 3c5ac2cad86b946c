package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import dev.tcpfootgun.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals against the jar: SIGHUP re-reads the web config (logged) instead of killing the process;
 * SIGTERM stops new connections but lets a scrape in flight finish (here one held 3 s by a
 * /proc/net/tcp that is a FIFO nobody writes, until --scrape.timeout gives up on it), then exits 143.
 */
class SignalsIT {
    @TempDir
    static Path dir;

    static void kill(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }

    @Test
    void sighupReReadsTheWebConfigAndTheProcessCarriesOn() throws Exception {
        String hash = org.springframework.security.crypto.bcrypt.BCrypt.hashpw("pw", org.springframework.security.crypto.bcrypt.BCrypt.gensalt(4));
        Path config = Files.writeString(dir.resolve("web.yml"), "basic_auth_users:\n  a: " + hash + "\n");
        int port = FakeKernel.freePort();
        try (ExporterProcess p = ExporterProcess.start(null, "--web.listen-address=127.0.0.1:" + port, "--web.config.file=" + config)) {
            assertThat(RawHttp.get("127.0.0.1", port, null, "/-/healthy").status()).isEqualTo(401);
            Files.writeString(config, "basic_auth_users: {}\n");
            kill("HUP", p.pid());
            boolean logged = false;
            for (int i = 0; i < 50 && !logged; i++) {
                Thread.sleep(100);
                logged = p.log().stream().anyMatch(l -> l.contains("SIGHUP: re-reading the web config"));
            }
            assertThat(logged).as(p.log().toString()).isTrue();
            assertThat(p.log()).anyMatch(l -> l.contains("re-read (SIGHUP)") && l.contains("0 users"));
            assertThat(p.isAlive()).isTrue();
            assertThat(RawHttp.get("127.0.0.1", port, null, "/-/healthy").status()).isEqualTo(200);
        }
    }

    @Test
    void sigtermLetsAScrapeInFlightFinish() throws Exception {
        assumeTrue(Cmd.available("mkfifo"), "needs mkfifo");
        FakeKernel k = FakeKernel.create(dir);
        Path tcp = k.proc().resolve("net/tcp");
        Files.delete(tcp);
        assertThat(new ProcessBuilder("mkfifo", tcp.toString()).start().waitFor()).isZero();
        int port = FakeKernel.freePort();
        List<String> flags = new java.util.ArrayList<>(List.of(k.flags(port)));
        flags.add("--scrape.timeout=3s");
        try (ExporterProcess p = ExporterProcess.start(null, flags.toArray(String[]::new))) {
            CompletableFuture<RawHttp.Reply> scrape = CompletableFuture.supplyAsync(() -> RawHttp.get("127.0.0.1", port, null, "/metrics"));
            Thread.sleep(1000); // the scrape is waiting on the FIFO
            long signalled = System.nanoTime();
            kill("TERM", p.pid());
            RawHttp.Reply r = scrape.get(20, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.error()).isEqualTo(200);
            assertThat(r.text()).contains("footgun_scrape_collector_success{collector=\"sockets\"} 0").contains("footgun_build_info");
            assertThat(p.awaitExit(15)).isEqualTo(143); // 128 + SIGTERM, as the JVM exits on it
            double seconds = (System.nanoTime() - signalled) / 1e9;
            assertThat(seconds).isLessThan(3 + 5 + 5); // --scrape.timeout + the drain margin + start-up slack of this box
            assertThat(p.log()).anyMatch(l -> l.contains("stopping: no new connections"));
            // no new connection is taken after SIGTERM
            assertThat(RawHttp.get("127.0.0.1", port, null, "/-/healthy").status()).isEqualTo(-1);
        }
    }
}

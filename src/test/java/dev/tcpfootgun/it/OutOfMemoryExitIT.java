package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.ExporterProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The image runs without -XX:+ExitOnOutOfMemoryError, so the exporter's own policy decides: an
 * OutOfMemoryError that nothing catches (not a source's) exits 3, as the flag did, after one log
 * line; one that is caught, as NodeReader catches a source's, does not end the process.
 */
class OutOfMemoryExitIT {

    private static Process run(String... args) throws Exception {
        String classpath = ExporterProcess.JAR + File.pathSeparator + Path.of("target", "test-classes");
        var cmd = new java.util.ArrayList<>(java.util.List.of(ExporterProcess.java(), "-cp", classpath, "dev.tcpfootgun.UncaughtOutOfMemory"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void anUncaughtOutOfMemoryErrorExits3AfterOneLogLine() throws Exception {
        Process p = run();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isEqualTo(3);
        assertThat(out.lines().filter(l -> l.contains("out of memory in thread render-1 outside any source"))).hasSize(1);
    }

    @Test
    void aCaughtOneDoesNotEndTheProcess() throws Exception {
        Process p = run("caught");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("out of memory");
    }
}

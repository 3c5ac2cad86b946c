package dev.tcpfootgun.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.testing.Cmd;
import dev.tcpfootgun.testing.ExporterProcess;
import dev.tcpfootgun.testing.FakeKernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The train command, as the image build runs it: the packaged jar under a JDK 25 java with
 * -XX:AOTCacheOutput serves on 127.0.0.1, scrapes itself, runs doctor and exits 0, and the JVM
 * writes an AOT cache that a later start of the same jar with -XX:AOTCache loads its classes from.
 */
class TrainingIT {

    /** The image's GC; a cache is made and used under the same flags. */
    static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData");

    @Test
    void trainsOverAFakeKernelAndWritesAnAotCacheTheNextStartUses(@TempDir Path dir) throws Exception {
        FakeKernel kernel = FakeKernel.create(Files.createDirectories(dir.resolve("kernel")));
        Path cache = dir.resolve("app.aot");
        String out = Cmd.run(command(List.of("-XX:AOTCacheOutput=" + cache), "train", "--path.procfs=" + kernel.proc(),
                "--path.sysfs=" + kernel.sys(), "--collector.sockets.source=procfs"));
        assertThat(out).contains("listening on 127.0.0.1:").contains("sources: sockets(procfs)")
                .contains("training: 83 requests answered");
        assertThat(cache).isRegularFile();
        assertThat(Files.size(cache)).isGreaterThan(1_000_000);

        // AOTMode=on: the JVM exits with an error instead of running without a cache it cannot use
        Path loads = dir.resolve("class-load.log");
        String used = Cmd.run(command(List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on",
                "-Xlog:class+load=info:file=" + loads), "version"));
        assertThat(used).startsWith("tcp-footgun-exporter, version ").doesNotContainPattern("(?i)warning|error");
        assertThat(Files.readString(loads)).contains("dev.tcpfootgun.Main source: shared objects file");
    }

    @Test
    void trainsWhereNothingCanBeReadAndStillExitsZero(@TempDir Path dir) throws Exception {
        String out = Cmd.run(command(List.of(), "train", "--path.procfs=" + dir.resolve("no-proc"),
                "--path.sysfs=" + dir.resolve("no-sys"), "--collector.sockets.source=procfs"));
        assertThat(out).contains("unavailable: sockets").contains("training: 83 requests answered");
    }

    static List<String> command(List<String> jvmFlags, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ExporterProcess.java());
        cmd.addAll(FLAGS);
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", ExporterProcess.JAR.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}

package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcFsTest {

    @Test
    void readsAWholeSysctlFromTheRunningKernel() throws IOException {
        Path somaxconn = Path.of("/proc/sys/net/core/somaxconn");
        assumeTrue(Files.exists(somaxconn), "needs Linux procfs");
        // Files.readAllBytes returned only the first digit here, without the newline
        assertThat(ProcFs.readText(somaxconn)).matches("[0-9]+\n");
    }
}

package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** KernelLines over files shorter and far longer than its first read buffer, which grows as reads fill it. */
class KernelLinesTest {

    @TempDir
    Path dir;

    @Test
    void everyLineOfALongFileWhateverBufferBoundaryItCrosses() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            text.append(i).append(": ").append("x".repeat(i % 97)).append('\n');
        }
        text.append("last line without a newline");
        Path file = dir.resolve("tcp");
        Files.writeString(file, text);
        List<String> read = new ArrayList<>();
        try (KernelLines lines = KernelLines.open(file)) {
            while (lines.next()) {
                read.add(lines.line());
            }
        }
        assertThat(read).containsExactlyElementsOf(text.toString().lines().toList());
        // a stream that fills every read as a file does
        List<String> streamed = new ArrayList<>();
        try (KernelLines lines = KernelLines.of(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.US_ASCII)), KernelLines.MAX_LINE)) {
            while (lines.next()) {
                streamed.add(lines.line());
                assertThat(lines.number()).isEqualTo(streamed.size());
            }
        }
        assertThat(streamed).isEqualTo(read);
    }

    @Test
    void aShortFileAndAnEmptyOne() throws IOException {
        Path small = dir.resolve("sockstat");
        Files.writeString(small, "sockets: used 200\nTCP: inuse 3 orphan 0 tw 1000 alloc 201 mem 0\n");
        try (KernelLines lines = KernelLines.open(small)) {
            assertThat(lines.next()).isTrue();
            assertThat(lines.line()).isEqualTo("sockets: used 200");
            assertThat(lines.next()).isTrue();
            assertThat(lines.next()).isFalse();
        }
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "");
        try (KernelLines lines = KernelLines.open(empty)) {
            assertThat(lines.next()).isFalse();
        }
    }
}

package dev.tcpfootgun.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fixture files under src/test/resources/proc/&lt;case&gt;/, laid out like procfs. */
final class Fixtures {
    private Fixtures() {}

    static Path procRoot(String kernelCase) {
        try {
            return Path.of(Fixtures.class.getResource("/proc/" + kernelCase).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ProcFs procFs(String kernelCase) {
        return ProcFs.of(procRoot(kernelCase), procRoot(kernelCase).resolve("no-sysfs"));
    }

    static String text(String kernelCase, String relative) {
        try {
            return Files.readString(procRoot(kernelCase).resolve(relative), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.tcpfootgun.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads kernel files for the sources, turning "missing" into a clear message where the file is required. */
final class KernelFiles {
    private KernelFiles() {}

    /** The file's text; a missing file is an IOException naming it. */
    static String required(Path file) throws IOException {
        String text = optional(file);
        if (text == null) {
            throw new IOException("required file missing: " + file);
        }
        return text;
    }

    /** The file's text, or null when it does not exist. */
    static String optional(Path file) throws IOException {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // a FIFO or folder where a kernel file belongs would block or fail obscurely
            throw new IOException("not a regular file: " + file);
        }
        return ProcFs.readTextIfPresent(file);
    }

    /** Wraps a parser bug as the IOException the Source contract allows. */
    static IOException failure(String collector, RuntimeException e) {
        return new IOException(collector + ": unexpected " + e, e);
    }
}

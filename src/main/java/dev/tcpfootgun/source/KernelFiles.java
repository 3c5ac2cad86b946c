package dev.tcpfootgun.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

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

    /**
     * The file's text, or null when it does not exist, including when it vanishes between the look
     * and the read (a sysfs device removed mid-scrape). Permission denied says so in its message.
     */
    static String optional(Path file) throws IOException {
        try {
            // one look, not exists() then isRegularFile(): a file removed between two looks is "missing"
            if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
                // a FIFO or folder where a kernel file belongs would block or fail obscurely
                throw new IOException("not a regular file: " + file);
            }
            return ProcFs.readText(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw denied(file, e);
        }
    }

    /** AccessDeniedException's message is the bare path; the log line should say what went wrong. */
    static IOException denied(Path path, AccessDeniedException e) {
        return new IOException("permission denied: " + path, e);
    }

    /** Wraps a parser bug as the IOException the Source contract allows. */
    static IOException failure(String collector, RuntimeException e) {
        return new IOException(collector + ": unexpected " + e, e);
    }
}

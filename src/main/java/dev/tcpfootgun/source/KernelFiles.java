package dev.tcpfootgun.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads small kernel files whole for the sources (a sysctl, a sysfs attribute), never more than a
 * bound; files of lines are read one line at a time through {@link KernelLines} instead.
 */
final class KernelFiles {
    /** The bound of a sysfs attribute or numeric sysctl: a page, as the kernel prints them. */
    static final int MAX_ATTRIBUTE = 4096;

    private KernelFiles() {}

    /**
     * The file's text, or null when it does not exist, including when it vanishes between the look
     * and the read (a sysfs device removed mid-scrape). Permission denied says so in its message,
     * and a file longer than {@link #MAX_ATTRIBUTE} characters is refused with an IOException.
     */
    static String optional(Path file) throws IOException {
        return optional(file, MAX_ATTRIBUTE);
    }

    /** As {@link #optional(Path)}, refusing a file longer than {@code maxChars}. */
    static String optional(Path file, int maxChars) throws IOException {
        InputStream in = open(file);
        if (in == null) {
            return null;
        }
        try (in) {
            return ProcFs.readText(in, maxChars, file);
        }
    }

    /**
     * As {@link #optional(Path, int)}, read into {@code scratch} (longer than {@code maxChars}) instead of
     * a buffer of its own: the reads the kernel sees are the same, one buffer serves a source's many files.
     */
    static String optional(Path file, int maxChars, byte[] scratch) throws IOException {
        InputStream in = open(file);
        if (in == null) {
            return null;
        }
        try (in) {
            int want = maxChars + 1;
            int n = 0;
            for (int r; n < want && (r = in.read(scratch, n, want - n)) >= 0; ) {
                n += r;
            }
            if (n > maxChars) {
                throw new IOException("longer than " + maxChars + " characters: " + file);
            }
            return new String(scratch, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /**
     * Opens a kernel file; null when it does not exist (also when it vanishes between the look and
     * the open). A FIFO or folder where a kernel file belongs is refused, since it would block or fail
     * obscurely; permission denied says so with the path.
     */
    static InputStream open(Path file) throws IOException {
        try {
            // one look, not exists() then isRegularFile(): a file removed between two looks is "missing";
            // IfExists answers a missing file with null, not the two exceptions with stack traces that
            // readAttributes threw for each sysctl this kernel lacks (five a scrape here)
            BasicFileAttributes attributes = file.getFileSystem().provider().readAttributesIfExists(file, BasicFileAttributes.class);
            if (attributes == null) {
                return null;
            }
            if (!attributes.isRegularFile()) {
                throw new IOException("not a regular file: " + file);
            }
            return Files.newInputStream(file);
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
    static IOException failure(RuntimeException e) {
        return new IOException("unexpected " + e, e);
    }
}

package dev.tcpfootgun.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Paths under a procfs mount (--path.procfs) and a sysfs mount (--path.sysfs). {@code netDir} is
 * the net folder of the namespace being read: {@code <procfs>/net} for the exporter's own
 * namespace, {@code <procfs>/<pid>/net} for another process's.
 */
public record ProcFs(Path procRoot, Path sysRoot, Path netDir) {

    public static ProcFs of(Path procRoot, Path sysRoot) {
        return new ProcFs(procRoot, sysRoot, procRoot.resolve("net"));
    }

    /** The same mounts, looking at the network namespace of process {@code pid}. */
    public ProcFs forPid(long pid) {
        return new ProcFs(procRoot, sysRoot, procRoot.resolve(Long.toString(pid)).resolve("net"));
    }

    public Path net(String relative) {
        return netDir.resolve(relative);
    }

    /**
     * A sysctl file. Sysctls are per namespace of the reading process under /proc/sys; for another
     * namespace they are under /proc/<pid>/root/proc/sys only if mounted there, so callers of
     * {@link #forPid} read their own.
     */
    public Path sysctl(String dottedName) {
        return procRoot.resolve("sys").resolve(dottedName.replace('.', '/'));
    }

    public Path sys(String relative) {
        return sysRoot.resolve(relative);
    }

    /** The most {@link #readText(Path)} reads: small kernel files are a few bytes, never megabytes. */
    public static final int SMALL_FILE = 1024 * 1024;

    /** Reads a whole small kernel file as text, refusing one longer than {@link #SMALL_FILE} characters. */
    public static String readText(Path file) throws IOException {
        return readText(file, SMALL_FILE);
    }

    /**
     * Reads a whole small kernel file as text, at most {@code maxChars} of it: a longer one is refused
     * with an IOException saying so, having read no more than one character past the bound, so a
     * file of any size costs a bounded buffer. Not Files.readAllBytes: for a file of size 0 it reads
     * one byte first, and /proc/sys handlers answer a read at offset 1 with end of file ("2" for 262144).
     */
    public static String readText(Path file, int maxChars) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return readText(in, maxChars, file);
        }
    }

    static String readText(InputStream in, int maxChars, Path file) throws IOException {
        byte[] bytes = in.readNBytes(maxChars + 1);
        if (bytes.length > maxChars) {
            throw new IOException("longer than " + maxChars + " characters: " + file);
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}

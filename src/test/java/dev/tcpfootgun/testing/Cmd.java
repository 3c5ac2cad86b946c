package dev.tcpfootgun.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command for a test and returns its stdout; a non-zero exit or a timeout is an exception. */
public final class Cmd {

    private Cmd() {}

    public static String run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    public static String run(List<String> command) throws IOException, InterruptedException {
        // into a file, not a pipe: a command that writes more than the pipe holds (64 KiB) before anyone reads
        // it would block until the timeout
        Path file = Files.createTempFile("cmd-output", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            String out = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(command + " exited " + p.exitValue() + ": " + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** True when an executable of this name is on PATH. */
    public static boolean available(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}

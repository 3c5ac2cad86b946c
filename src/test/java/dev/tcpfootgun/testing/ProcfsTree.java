package dev.tcpfootgun.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A procfs for --path.procfs that shows the exporter only the processes a test chose: symlinks to
 * the real /proc/PID of each, plus 1 (the "node's" process, whose namespace counts as the host's),
 * self, net and sys, which resolve as they would in the real /proc. On a machine shared with other
 * tests this keeps their namespaces out; the kernel files read are all real. Folders a test fills
 * itself (a FIFO where a file should be) stand in for a process whose files block.
 */
public final class ProcfsTree implements AutoCloseable {

    private final Path root;

    private ProcfsTree(Path root) {
        this.root = root;
    }

    /** A tree whose pid 1 is {@code nodePid}; world-readable, so an exporter running as another uid can read it. */
    public static ProcfsTree create(long nodePid) throws IOException {
        Path root = Files.createTempDirectory("pods-procfs-");
        open(root);
        ProcfsTree t = new ProcfsTree(root);
        Files.createSymbolicLink(root.resolve("1"), Path.of("/proc/" + nodePid));
        Files.createSymbolicLink(root.resolve("self"), Path.of("/proc/self"));
        Files.createSymbolicLink(root.resolve("net"), Path.of("/proc/self/net"));
        Files.createSymbolicLink(root.resolve("sys"), Path.of("/proc/sys"));
        t.add(nodePid);
        return t;
    }

    public Path root() {
        return root;
    }

    /** Shows process {@code pid} to the exporter. */
    public void add(long pid) throws IOException {
        Files.createSymbolicLink(root.resolve(Long.toString(pid)), Path.of("/proc/" + pid));
    }

    /** An empty folder standing for process {@code pid}, for the test to fill. */
    public Path fake(long pid) throws IOException {
        Path dir = Files.createDirectory(root.resolve(Long.toString(pid)));
        open(dir);
        return dir;
    }

    /** A FIFO nobody writes at {@code file}: opening it for reading blocks. */
    public static Path fifo(Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        Cmd.run("mkfifo", "-m", "644", file.toString());
        return file;
    }

    /** Makes a folder (and its parents up to the tree) readable and searchable by every user. */
    public static void open(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The namespace identity the exporter gives a process folder: the inode of its net/tcp. */
    public static String identity(Path pidDir) throws IOException {
        return String.valueOf(Files.getAttribute(pidDir.resolve("net").resolve("tcp"), "unix:ino"));
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

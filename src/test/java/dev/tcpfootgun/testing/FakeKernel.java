package dev.tcpfootgun.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * A procfs and sysfs tree for the jar's --path.procfs and --path.sysfs: the files captured from a
 * 6.18 kernel (src/test/resources/proc/linux-6.18) and a sysfs with loopback, readable by any
 * user so the jar can also run unprivileged over it.
 */
public record FakeKernel(Path proc, Path sys) {

    public static FakeKernel create(Path base) throws IOException {
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path proc = base.resolve("proc");
        Path source = Path.of("src", "test", "resources", "proc", "linux-6.18");
        try (Stream<Path> files = Files.walk(source)) {
            files.forEach(p -> {
                try {
                    Path to = proc.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        Path sys = base.resolve("sys");
        device(sys, "lo", 1, 65536, 772, "unknown");
        device(sys, "eth0", 2, 1500, 1, "up");
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return new FakeKernel(proc, sys);
    }

    public static Path device(Path sys, String name, int ifindex, int mtu, int type, String operstate) throws IOException {
        Path dev = Files.createDirectories(sys.resolve("class/net").resolve(name));
        Files.writeString(dev.resolve("ifindex"), ifindex + "\n");
        Files.writeString(dev.resolve("mtu"), mtu + "\n");
        Files.writeString(dev.resolve("type"), type + "\n");
        Files.writeString(dev.resolve("operstate"), operstate + "\n");
        return dev;
    }

    /** The jar's flags for reading this tree only (no netlink, which would read the real kernel). */
    public String[] flags(int port) {
        return new String[] {"--web.listen-address=127.0.0.1:" + port, "--path.procfs=" + proc, "--path.sysfs=" + sys,
            "--collector.sockets.source=procfs"};
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

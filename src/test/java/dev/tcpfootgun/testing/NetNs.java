package dev.tcpfootgun.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made by a test (ip netns add), deleted on close. {@link #call} runs code on a
 * dedicated thread that has entered the namespace with setns(2), so sockets that code opens live
 * there. The thread is never returned to the host namespace; it dies with the namespace object.
 */
public final class NetNs implements AutoCloseable {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int CLONE_NEWNET = 0x40000000;

    private final String name;
    private final ExecutorService inside;

    private NetNs(String name) {
        this.name = name;
        this.inside = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netns-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Why namespaces cannot be made here, or null when they can (root and ip present). */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root for ip netns";
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            return "needs iproute2 (ip)";
        }
        return null;
    }

    /** Creates the namespace with loopback up and enters it on the worker thread. */
    public static NetNs create(String prefix) throws Exception {
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        Cmd.run("ip", "netns", "add", name);
        NetNs ns = new NetNs(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            ns.inside.submit(() -> {
                enter(name);
                return null;
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private static void enter(String name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom("/run/netns/" + name), 0);
            if (fd < 0) {
                throw new IOException("open /run/netns/" + name + " failed");
            }
            int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("setns into " + name + " failed");
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns into " + name + ": " + t, t);
        }
    }

    public String name() {
        return name;
    }

    /** Runs code inside the namespace (on its one thread) and returns its result. */
    public <T> T call(Callable<T> task) throws Exception {
        Future<T> f = inside.submit(task);
        return f.get(120, TimeUnit.SECONDS);
    }

    /** Runs a command inside the namespace, failing on a non-zero exit; returns its stdout. */
    public String exec(String... command) throws IOException, InterruptedException {
        return Cmd.run(prefixed(command));
    }

    public void sysctl(String name, String value) throws IOException, InterruptedException {
        exec("sysctl", "-q", "-w", name + "=" + value);
    }

    /** Starts a long-running command inside the namespace. */
    public Process start(String... command) throws IOException {
        return new ProcessBuilder(prefixed(command)).redirectErrorStream(false).start();
    }

    public List<String> prefixed(String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(command));
        return cmd;
    }

    @Override
    public void close() {
        inside.shutdownNow();
        try {
            Cmd.run("ip", "netns", "del", name);
        } catch (Exception e) {
            // best effort: a namespace still held by a process disappears with it
        }
    }
}

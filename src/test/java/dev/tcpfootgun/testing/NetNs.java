package dev.tcpfootgun.testing;

import dev.tcpfootgun.netns.NamespaceThread;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A network namespace made by a test (ip netns add), deleted on close. {@link #call} runs code on a
 * thread that has entered the namespace (the product's {@link NamespaceThread}), so sockets that
 * code opens live there.
 */
public final class NetNs implements AutoCloseable {

    private final String name;
    private NamespaceThread inside;

    private NetNs(String name) {
        this.name = name;
    }

    /** Why namespaces cannot be made here, or null when they can (root and ip present). */
    public static String unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root for ip netns";
        }
        if (!Cmd.available("ip")) {
            return "needs iproute2 (ip)";
        }
        return null;
    }

    /** Creates the namespace with loopback up and a thread inside it. */
    public static NetNs create(String prefix) throws Exception {
        String name = prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
        Cmd.run("ip", "netns", "add", name);
        NetNs ns = new NetNs(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
            ns.inside = NamespaceThread.enter(Path.of("/run/netns", name), name);
        } catch (Exception e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs code inside the namespace (on its one thread) and returns its result; its exception is rethrown. */
    public <T> T call(Callable<T> task) throws Exception {
        return inside.call(task, Duration.ofSeconds(120));
    }

    /** Runs a command inside the namespace, failing on a non-zero exit; returns its stdout. */
    public String exec(String... command) throws IOException, InterruptedException {
        return Cmd.run(prefixed(command));
    }

    public void sysctl(String name, String value) throws IOException, InterruptedException {
        exec("sysctl", "-q", "-w", name + "=" + value);
    }

    /**
     * Waits until the kernel (ss, the test oracle) shows {@code n} TIME_WAIT sockets towards local
     * port {@code port}: a client's close and the server's FIN settle a moment after both sides return.
     */
    public void awaitTimeWait(int port, int n) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        int seen;
        do {
            seen = exec("ss", "-H", "-tan", "state", "time-wait", "dport", "= :" + port).strip().lines().toList().size();
            if (seen == n) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("ss shows " + seen + " TIME_WAIT sockets to port " + port + ", expected " + n);
    }

    /** TIME_WAIT sockets towards local port {@code port} once ss shows the same count twice, 300 ms apart. */
    public int settledTimeWait(int port) throws Exception {
        int before = -1;
        for (int i = 0; i < 30; i++) {
            int now = exec("ss", "-H", "-tan", "state", "time-wait", "dport", "= :" + port).strip().lines().toList().size();
            if (now == before) {
                return now;
            }
            before = now;
            Thread.sleep(300);
        }
        return before;
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
        if (inside != null) {
            inside.close();
        }
        try {
            Cmd.run("ip", "netns", "del", name);
        } catch (Exception e) {
            // best effort: a namespace still held by a process disappears with it
        }
    }
}

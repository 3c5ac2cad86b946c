package dev.tcpfootgun.netns;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A thread that lives inside another network namespace (setns(2) on /proc/PID/ns/net). Sockets it
 * opens, netlink included, and the /proc/sys/net values it reads belong to that namespace. setns
 * is per thread, so the thread is dedicated: it never runs anything for another namespace and dies
 * when closed. Needs CAP_SYS_ADMIN (and CAP_SYS_PTRACE to open other users' ns files).
 */
public final class NamespaceThread implements AutoCloseable {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VH = Linker.Option.captureStateLayout()
            .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO);
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private final ExecutorService thread;

    private NamespaceThread(ExecutorService thread) {
        this.thread = thread;
    }

    /** Starts a thread and moves it into the namespace of {@code nsFile}; fails with the errno when refused. */
    public static NamespaceThread enter(Path nsFile, String name) throws IOException {
        ExecutorService t = Executors.newSingleThreadExecutor(r -> {
            Thread th = new Thread(r, "netns-" + name);
            th.setDaemon(true);
            return th;
        });
        NamespaceThread ns = new NamespaceThread(t);
        try {
            ns.call(() -> {
                setns(nsFile);
                return null;
            }, Duration.ofSeconds(5));
        } catch (IOException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Moves the calling thread into the network namespace of {@code nsFile}. */
    static void setns(Path nsFile) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(state, a.allocateFrom(nsFile.toString()), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IOException("open " + nsFile + ": errno " + (int) ERRNO_VH.get(state, 0L));
            }
            int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
            int errno = (int) ERRNO_VH.get(state, 0L);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (rc != 0) {
                throw new IOException("setns " + nsFile + ": errno " + errno + (errno == 1 ? " (EPERM: needs CAP_SYS_ADMIN)" : ""));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns " + nsFile + ": " + t, t);
        }
    }

    /** Runs a task inside the namespace without waiting: the caller bounds the wait (the scrape's deadline). */
    public <T> Future<T> submit(Callable<T> task) {
        return thread.submit(task);
    }

    /** Runs a task inside the namespace and waits for it at most {@code timeout}. */
    public <T> T call(Callable<T> task, Duration timeout) throws IOException {
        Future<T> f = thread.submit(task);
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(String.valueOf(c), c);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IOException("namespace read did not finish within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

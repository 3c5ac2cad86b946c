package dev.tcpfootgun.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The packaged exporter (target/tcp-footgun-exporter.jar) run as a child process, optionally inside
 * a network namespace, with its stderr log kept for assertions.
 */
public final class ExporterProcess implements AutoCloseable {

    public static final Path JAR = Path.of("target", "tcp-footgun-exporter.jar");

    private final Process process;
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch started = new CountDownLatch(1);

    private ExporterProcess(Process process) {
        this.process = process;
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.add(line);
                    if (line.contains("listening on")) {
                        started.countDown();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "exporter-log");
        t.setDaemon(true);
        t.start();
    }

    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Starts the jar with these flags, inside {@code ns} when it is not null, and waits until it listens. */
    public static ExporterProcess start(NetNs ns, String... flags) throws IOException, InterruptedException {
        return start(ns, List.of(), flags);
    }

    /** As {@link #start(NetNs, String...)}, with the java command run through {@code wrapper} (e.g. a seccomp launcher). */
    public static ExporterProcess start(NetNs ns, List<String> wrapper, String... flags) throws IOException, InterruptedException {
        ExporterProcess p = launch(ns, wrapper, flags);
        p.awaitStarted();
        return p;
    }

    /** Starts the jar as {@link #start(NetNs, List, String...)} does, without waiting for it to listen. */
    public static ExporterProcess launch(NetNs ns, List<String> wrapper, String... flags) throws IOException {
        return launch(ns, wrapper, List.of("-XX:+UseSerialGC", "-Xmx64m"), flags);
    }

    /** The image's JVM flags (src/main/jvm/jvm.options) under the DaemonSet's 128 MiB limit, as MaxRAM. */
    public static final List<String> IMAGE_JVM = List.of("@" + Path.of("src", "main", "jvm", "jvm.options"), "-XX:MaxRAM=128m");

    /** Starts the jar with the image's JVM flags ({@link #IMAGE_JVM}) and waits until it listens. */
    public static ExporterProcess startAsImage(String... flags) throws IOException, InterruptedException {
        ExporterProcess p = launch(null, List.of(), IMAGE_JVM, flags);
        p.awaitStarted();
        return p;
    }

    private static ExporterProcess launch(NetNs ns, List<String> wrapper, List<String> jvm, String... flags) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " missing: run through mvn verify, which packages it first");
        }
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(java());
        cmd.addAll(jvm);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(ns == null ? cmd : ns.prefixed(cmd.toArray(String[]::new)));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new ExporterProcess(pb.start());
    }

    /** Waits until the exporter has logged its "listening on" line (after its start-up read of the node). */
    public void awaitStarted() throws IOException, InterruptedException {
        if (!started.await(30, TimeUnit.SECONDS)) {
            close();
            throw new IOException("exporter did not start; log: " + log());
        }
    }

    /** True once the exporter has logged its "listening on" line. */
    public boolean hasStarted() {
        return started.getCount() == 0;
    }

    /** The exporter's pid (ip netns exec execs java in place, so it is the java process). */
    public long pid() {
        return process.pid();
    }

    /** The exit code once the process ended within {@code seconds}, or -1 when it still runs. */
    public int awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, once the process has ended. */
    public int exitValue() {
        return process.exitValue();
    }

    /** A field of /proc/PID/status in KiB ("VmRSS", "VmHWM": resident now, and at its peak). */
    public long statusKib(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IOException(field + " not in /proc/" + pid() + "/status");
    }

    public List<String> log() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    /** An HTTP GET (in the calling thread, so from inside a namespace when called through NetNs.call). */
    public static Response get(String url, String accept) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        if (accept != null) {
            c.setRequestProperty("Accept", accept);
        }
        int status = c.getResponseCode();
        var in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String type = c.getContentType();
        c.disconnect();
        return new Response(status, type, body);
    }

    public record Response(int status, String contentType, String body) {}

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.tcpfootgun;

import dev.tcpfootgun.config.BadFlagException;
import dev.tcpfootgun.config.ListenAddress;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.http.ExporterServer;
import dev.tcpfootgun.log.LogOutput;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.snapshot.Reading;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Command line: serve (default), doctor, version, train. A bad flag is one line on stderr and exit code 2. */
public final class Main {

    public static final int EXIT_BAD_FLAG = 2;

    static final String PROGRAM = "tcp-footgun-exporter";

    private Main() {}

    public static void main(String[] args) throws Exception {
        OutOfMemoryExit.install();
        int code = run(List.of(args), System.out, System.err);
        if (code >= 0) {
            System.exit(code);
        }
        Thread.currentThread().join();
    }

    /** Runs a command; returns an exit code, or -1 when the server is running and main should block. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (BadFlagException e) {
            err.println("tcp-footgun-exporter: " + e.getMessage() + " (see --help)");
            return EXIT_BAD_FLAG;
        }
        LogOutput.configure(settings.logLevel(), settings.logFormat());
        if (settings.help()) {
            out.print(Settings.USAGE);
            return 0;
        }
        return switch (settings.command()) {
            case "version" -> {
                out.print(BuildInfo.current().print(PROGRAM));
                yield 0;
            }
            case "doctor" -> dev.tcpfootgun.doctor.Doctor.run(settings, out);
            case "train" -> Training.run(settings, err);
            default -> serve(settings, err);
        };
    }

    private static int serve(Settings settings, PrintStream err) {
        return start(settings, err) == null ? 1 : -1;
    }

    /**
     * What serve does before it blocks: starts the server, then reads the node once and logs where it
     * listens and which sources answered. Null, after one line on {@code err}, when it cannot listen.
     */
    static ExporterServer start(Settings settings, PrintStream err) {
        Logger log = LoggerFactory.getLogger(Main.class);
        Scraper scraper = Exporter.scraper(settings);
        ExporterServer server;
        try {
            server = ExporterServer.start(settings, scraper, Exporter.version());
        } catch (IOException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            return null;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "shutdown"));
        // The first read of the node, for the log line below, runs while the server already answers:
        // a scrape arriving meanwhile shares this read (the Scraper is single-flight) instead of
        // waiting for it to end and then reading the node a second time.
        Assessment first;
        try {
            first = scraper.assess();
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Reading<?> r : first.snapshot().readings()) {
            if (r.success()) {
                found.add(r.collector().equals("sockets") ? "sockets(" + first.snapshot().socketSource() + ")" : r.collector());
            } else {
                missing.add(r.collector());
            }
        }
        BuildInfo build = BuildInfo.current();
        log.atInfo().addKeyValue("version", build.version()).addKeyValue("revision", build.revision())
                .addKeyValue("branch", build.branch()).addKeyValue("java", BuildInfo.javaVersion())
                .log("listening on {} (metrics at {}); sources: {}{}",
                        String.join(" ", server.addresses().stream().map(ListenAddress::toString).toList()),
                        settings.telemetryPath(), String.join(" ", found),
                        missing.isEmpty() ? "" : "; unavailable: " + String.join(" ", missing));
        return server;
    }
}

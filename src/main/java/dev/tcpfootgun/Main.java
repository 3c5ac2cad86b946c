package dev.tcpfootgun;

import dev.tcpfootgun.config.BadFlagException;
import dev.tcpfootgun.config.ListenAddress;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.doctor.Doctor;
import dev.tcpfootgun.doctor.FindingsJson;
import dev.tcpfootgun.log.LogOutput;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.snapshot.Reading;
import dev.tcpfootgun.web.ExporterServer;
import dev.tcpfootgun.web.WebConfig;
import dev.tcpfootgun.snapshot.Slot;
import dev.tcpfootgun.source.Collector;
import dev.tcpfootgun.source.Collectors;
import dev.tcpfootgun.source.netlink.NetlinkTransport;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command line: serve (default), doctor, version, train. Exit codes (README, "Exit codes"): 0 done,
 * 1 cannot listen, 2 a bad flag or web config (one line on stderr), 143 after SIGTERM; doctor's own
 * 0-3 are its verdict.
 */
public final class Main {

    public static final int EXIT_LISTEN_FAILED = 1;
    public static final int EXIT_BAD_FLAG = 2;
    /** What serve waits, after SIGTERM, for requests in flight beyond --scrape.timeout: rendering and sending. */
    static final Duration DRAIN_MARGIN = Duration.ofSeconds(5);

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
            case "doctor" -> Doctor.run(settings, Exporter.scraper(settings), out);
            case "train" -> Training.run(settings, err, Main::start);
            default -> serve(settings, err);
        };
    }

    private static int serve(Settings settings, PrintStream err) {
        WebConfig web = WebConfig.none();
        if (settings.webConfigFile() != null) {
            try {
                web = WebConfig.load(settings.webConfigFile());
            } catch (WebConfig.Invalid e) {
                err.println("tcp-footgun-exporter: " + e.getMessage());
                return EXIT_BAD_FLAG;
            }
        }
        ExporterServer server = start(settings, web, err);
        if (server == null) {
            return EXIT_LISTEN_FAILED;
        }
        Signals.onHangup(() -> server.reloadWebConfig("SIGHUP"));
        return -1;
    }

    /** {@link #start(Settings, WebConfig, PrintStream)} without a web config (train's local server). */
    static ExporterServer start(Settings settings, PrintStream err) {
        return start(settings, WebConfig.none(), err);
    }

    /**
     * What serve does before it blocks: starts the server, then reads the node once and logs where it
     * listens and which sources answered. Null, after one line on {@code err}, when it cannot listen.
     */
    static ExporterServer start(Settings settings, WebConfig web, PrintStream err) {
        return start(settings, web, NetlinkTransport.KERNEL, err);
    }

    /** The same start with netlink replies from {@code transport}: the golden test's replayed captures. */
    static ExporterServer start(Settings settings, WebConfig web, NetlinkTransport transport, PrintStream err) {
        Logger log = LoggerFactory.getLogger(Main.class);
        Scraper scraper = Exporter.scraper(settings, transport);
        ExporterServer server;
        try {
            server = ExporterServer.start(settings, settings.listenAddresses(), web, scraper, Exporter.version(),
                    a -> FindingsJson.render(a, Doctor.exitCode(a), DestinationLabels.of(settings.destinationLabels())));
        } catch (IOException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            return null;
        }
        Duration grace = settings.scrapeTimeout().plus(DRAIN_MARGIN);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM (or the end of train): a scrape in flight may finish within the bound, then the process exits
            log.info("stopping: no new connections; requests in flight get up to {} ms to finish", grace.toMillis());
            server.drain(grace);
        }, "shutdown"));
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
                found.add(r.collector().equals(Slot.SOCKETS.name())
                        ? "sockets(" + first.snapshot().sockets().map(t -> t.origin().name()).orElse("") + ")" : r.collector());
            } else {
                missing.add(r.collector());
            }
        }
        List<String> off = Collectors.ALL.stream().map(Collector::name).filter(n -> !settings.collectors().contains(n)).toList();
        BuildInfo build = BuildInfo.current();
        log.atInfo().addKeyValue("version", build.version()).addKeyValue("revision", build.revision())
                .addKeyValue("branch", build.branch()).addKeyValue("java", BuildInfo.javaVersion())
                .log("listening on {} (metrics at {}); sources: {}{}{}",
                        String.join(" ", server.addresses().stream().map(ListenAddress::toString).toList()),
                        settings.telemetryPath(), String.join(" ", found),
                        missing.isEmpty() ? "" : "; unavailable: " + String.join(" ", missing),
                        off.isEmpty() ? "" : "; switched off: " + String.join(" ", off));
        return server;
    }
}

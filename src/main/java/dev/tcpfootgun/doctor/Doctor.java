package dev.tcpfootgun.doctor;

import dev.tcpfootgun.BuildInfo;
import dev.tcpfootgun.config.Settings;
import dev.tcpfootgun.footgun.Finding;
import dev.tcpfootgun.footgun.Status;
import dev.tcpfootgun.metrics.DestinationLabels;
import dev.tcpfootgun.scrape.Assessment;
import dev.tcpfootgun.scrape.Scraper;
import dev.tcpfootgun.snapshot.Reading;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The one-shot report: reads the node twice, a few seconds apart so counter-based checks see a
 * rate, and prints one entry per footgun with its evidence and fix. Exit code 0 all ok, 1 a
 * warning, 2 a critical finding, 3 the node could not be read. Advice does not fail it unless
 * --doctor.fail-on=advice asks (then it exits 1, as a warning does); --doctor.fail-on=critical
 * lets warnings pass.
 */
public final class Doctor {

    public static final int EXIT_OK = 0;
    public static final int EXIT_WARN = 1;
    public static final int EXIT_CRITICAL = 2;
    public static final int EXIT_UNREADABLE = 3;

    /** Gap between the two reads: long enough for a counter to move, short enough for an incident. */
    static final long RATE_WINDOW_MILLIS = 3000;

    private Doctor() {}

    /** @param scraper the node's reader and judge, wired by the composition root (Main) from the same settings */
    public static int run(Settings settings, Scraper scraper, PrintStream out) {
        scraper.assess();
        try {
            Thread.sleep(RATE_WINDOW_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Assessment a = scraper.assess();
        int code = exitCode(a, settings.doctorFailOn());
        DestinationLabels labels = DestinationLabels.of(settings.destinationLabels());
        if (settings.output().equals("json")) {
            out.print(FindingsJson.render(a, code, labels));
        } else {
            out.print(text(a, code, System.console() != null && System.console().isTerminal(), labels));
        }
        out.flush();
        return code;
    }

    /** {@link #exitCode(Assessment, Status)} failing on warnings, the default. */
    public static int exitCode(Assessment a) {
        return exitCode(a, Status.WARN);
    }

    /**
     * 3 when no source could be read at all; else the worst status at or above {@code failOn}:
     * 2 critical, 1 warn or advice, 0 otherwise (unknown does not pass or fail).
     */
    public static int exitCode(Assessment a, Status failOn) {
        if (a.snapshot().readings().stream().noneMatch(Reading::success)) {
            return EXIT_UNREADABLE;
        }
        int code = EXIT_OK;
        for (Finding f : a.findings()) {
            if (!f.status().atLeast(failOn)) {
                continue;
            }
            code = Math.max(code, f.status() == Status.CRITICAL ? EXIT_CRITICAL : EXIT_WARN);
        }
        return code;
    }

    /** @param labels shows the addresses in the findings' text as --destinations.labels asks */
    public static String text(Assessment a, int code, boolean colour, DestinationLabels labels) {
        StringBuilder b = new StringBuilder(4096);
        b.append("tcp-footgun-exporter doctor ").append(BuildInfo.current().version()).append('\n');
        List<String> failed = a.snapshot().readings().stream().filter(r -> !r.success())
                .map(r -> r.collector() + " (" + r.reason() + ")").toList();
        if (!failed.isEmpty()) {
            b.append("unreadable sources: ").append(String.join("; ", failed)).append('\n');
        }
        b.append('\n');
        for (Finding f : a.findings()) {
            String status = String.format(Locale.ROOT, "%-8s", f.status().label().toUpperCase(Locale.ROOT));
            b.append(colour ? paint(f.status(), status) : status).append(' ').append(f.footgun().id());
            if (!Double.isNaN(f.risk())) {
                b.append(String.format(Locale.ROOT, " (risk %.2f)", f.risk()));
            }
            b.append(" - ").append(f.footgun().title()).append(" [seed §").append(f.footgun().seedSection()).append("]\n");
            if (f.missing() != null) {
                b.append("         missing: ").append(f.missing()).append('\n');
            }
            for (String e : labels.evidence(f)) {
                b.append("         - ").append(e).append('\n');
            }
            String fix = labels.fix(f);
            if (f.status() != Status.OK && !fix.isEmpty()) {
                b.append("         fix: ").append(fix).append('\n');
            }
        }
        b.append("\nexit code ").append(code).append(switch (code) {
            case EXIT_OK -> ": all ok";
            case EXIT_WARN -> ": warnings (or advice, with --doctor.fail-on=advice)";
            case EXIT_CRITICAL -> ": critical findings";
            default -> ": the node could not be read";
        }).append('\n');
        return b.toString();
    }

    private static String paint(Status s, String text) {
        String c = switch (s) {
            case OK -> "\u001b[32m";
            case ADVICE -> "\u001b[36m";
            case WARN -> "\u001b[33m";
            case CRITICAL -> "\u001b[31;1m";
            case UNKNOWN -> "\u001b[90m";
        };
        return c + text + "\u001b[0m";
    }
}

package dev.tcpfootgun.log;

import dev.tcpfootgun.JsonString;
import dev.tcpfootgun.config.LogFormat;
import dev.tcpfootgun.config.LogLevel;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Where every log line goes (stderr) and how it looks, as prometheus/common promslog writes it:
 * {@code time=2026-12-01T09:15:00.123Z level=INFO source=Main.java:97 msg="listening on :10071" version=0.1.0}
 * in logfmt, or the same keys as one JSON object a line. One line per message, whoever logs it
 * (our code through SLF4J, the JDK and libraries through java.util.logging), whichever thread.
 */
public final class LogOutput {

    /** promslog's time format: milliseconds, always three digits; UTC, so every node's lines compare. */
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private static volatile LogLevel level = LogLevel.INFO;
    private static volatile LogFormat format = LogFormat.LOGFMT;
    private static volatile PrintStream out = System.err;

    private LogOutput() {}

    /** Sets --log.level and --log.format for every logger, ours and the JDK's, before the first line. */
    public static void configure(LogLevel newLevel, LogFormat newFormat) {
        level = newLevel;
        format = newFormat;
        JulBridge.install(newLevel);
    }

    /** Test hook (package-private; the tests' CapturedLog): sends lines to {@code to} from now on, returns where they went. */
    static synchronized PrintStream redirect(PrintStream to) {
        PrintStream before = out;
        out = to;
        return before;
    }

    /** Test hook (package-private; the tests' CapturedLog): the least severe level written from now on, returns the one before. */
    static synchronized LogLevel minimumLevel(LogLevel to) {
        LogLevel before = level;
        level = to;
        return before;
    }

    static boolean enabled(LogLevel l) {
        return l.compareTo(level) >= 0;
    }

    /** Writes one line: time, level, source, msg, then the extra fields in order; an error's text last. */
    static void write(LogLevel l, String source, String message, List<Map.Entry<String, Object>> fields, Throwable error) {
        StringBuilder b = new StringBuilder(160);
        boolean json = format == LogFormat.JSON;
        if (json) {
            b.append('{');
        }
        field(b, json, "time", TIME.format(Instant.now()));
        field(b, json, "level", l.label());
        field(b, json, "source", source);
        field(b, json, "msg", message == null ? "" : message);
        for (Map.Entry<String, Object> f : fields) {
            field(b, json, f.getKey(), String.valueOf(f.getValue()));
        }
        if (error != null) {
            field(b, json, "err", error.toString());
            if (l == LogLevel.ERROR || enabled(LogLevel.DEBUG)) {
                field(b, json, "stack", stack(error));
            }
        }
        if (json) {
            b.append('}');
        }
        b.append('\n');
        PrintStream target = out;
        synchronized (LogOutput.class) {
            target.print(b);
            target.flush();
        }
    }

    private static String stack(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c != t) {
                b.append("caused by ").append(c).append('\n');
            }
            for (StackTraceElement e : c.getStackTrace()) {
                b.append("\tat ").append(e).append('\n');
            }
        }
        return b.toString().stripTrailing();
    }

    private static void field(StringBuilder b, boolean json, String key, String value) {
        if (json) {
            if (b.length() > 1) {
                b.append(',');
            }
            jsonString(b, key);
            b.append(':');
            jsonString(b, value);
        } else {
            if (!b.isEmpty()) {
                b.append(' ');
            }
            b.append(logfmtKey(key)).append('=');
            logfmtValue(b, value);
        }
    }

    /** A key is a run of letters, digits, '_', '.' and '-'; anything else becomes '_' (keys come from our code). */
    private static String logfmtKey(String key) {
        return key.isEmpty() ? "_" : key.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    }

    /** Bare when safe, as slog's TextHandler does; quoted with backslash escapes when it holds a space, '=', '"' or a control character. */
    static void logfmtValue(StringBuilder b, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f || Character.isSpaceChar(c);
        }
        if (!quote) {
            b.append(v);
            return;
        }
        JsonString.append(b, v);
    }

    private static void jsonString(StringBuilder b, String v) {
        JsonString.append(b, v);
    }

    /** The first frame outside logging code, as promslog's source: file:line. */
    static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !isLogging(f.getClassName()))
                .findFirst()
                .map(f -> (f.getFileName() != null ? f.getFileName() : f.getClassName()) + ":" + f.getLineNumber())
                .orElse("unknown"));
    }

    private static boolean isLogging(String cls) {
        return cls.startsWith("dev.tcpfootgun.log.") || cls.startsWith("org.slf4j.") || cls.startsWith("java.util.logging.")
                || cls.startsWith("sun.util.logging.") || cls.startsWith("jdk.internal.logger.")
                || cls.startsWith("java.lang.System$");
    }
}

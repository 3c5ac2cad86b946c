package dev.tcpfootgun.log;

import dev.tcpfootgun.config.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The log lines written while it is open, as LogOutput writes them (logfmt), for a test in any
 * package; closing it puts stderr and the level back. Lines from other threads land here too: match
 * on what the test logs.
 */
public final class CapturedLog implements AutoCloseable {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream before;
    private final LogLevel levelBefore;

    private CapturedLog(LogLevel level) {
        before = LogOutput.redirect(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        levelBefore = LogOutput.minimumLevel(level);
    }

    /** Captures lines at info and above. */
    public static CapturedLog start() {
        return new CapturedLog(LogLevel.INFO);
    }

    /** Captures lines at {@code level} and above. */
    public static CapturedLog start(LogLevel level) {
        return new CapturedLog(level);
    }

    /** The lines so far that contain {@code text}. */
    public List<String> lines(String text) {
        return bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(text)).toList();
    }

    @Override
    public void close() {
        LogOutput.redirect(before);
        LogOutput.minimumLevel(levelBefore);
    }
}

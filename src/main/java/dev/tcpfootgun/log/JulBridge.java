package dev.tcpfootgun.log;

import dev.tcpfootgun.config.LogLevel;
import java.text.MessageFormat;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging (and System.Logger, which the JDK's HTTP server uses) into {@link LogOutput}, so
 * a library's line looks like ours: the JDK's own console handler would print two lines per message
 * without the configured format.
 */
final class JulBridge extends Handler {

    private JulBridge() {}

    static void install(LogLevel level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(switch (level) {
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARN -> Level.WARNING;
            case ERROR -> Level.SEVERE;
        });
        root.addHandler(new JulBridge());
    }

    /** JUL's levels on promslog's four; FINER and FINEST (System.Logger TRACE) are not written. */
    static LogLevel level(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return LogLevel.ERROR;
        }
        if (v >= Level.WARNING.intValue()) {
            return LogLevel.WARN;
        }
        if (v >= Level.CONFIG.intValue()) {
            return LogLevel.INFO;
        }
        return v >= Level.FINE.intValue() ? LogLevel.DEBUG : null;
    }

    @Override
    public void publish(LogRecord r) {
        LogLevel l = level(r.getLevel());
        if (l == null || !LogOutput.enabled(l)) {
            return;
        }
        String message = r.getMessage();
        if (message != null && r.getParameters() != null && r.getParameters().length > 0 && message.contains("{0")) {
            message = MessageFormat.format(message, r.getParameters());
        }
        LogOutput.write(l, LogOutput.caller(), message, List.of(java.util.Map.entry("logger", r.getLoggerName() == null ? "" : r.getLoggerName())), r.getThrown());
    }

    @Override
    public void flush() {
        // LogOutput flushes each line
    }

    @Override
    public void close() {
        // stderr stays open
    }
}

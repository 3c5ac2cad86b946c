package dev.tcpfootgun.log;

import dev.tcpfootgun.config.LogLevel;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/** An SLF4J logger that writes {@link LogOutput}'s lines; key-values of the fluent API become fields. */
final class LineLogger extends AbstractLogger implements LoggingEventAware {

    LineLogger(String name) {
        this.name = name;
    }

    /** SLF4J's TRACE has no promslog level: it is never written. */
    static LogLevel level(Level l) {
        return switch (l) {
            case TRACE -> null;
            case DEBUG -> LogLevel.DEBUG;
            case INFO -> LogLevel.INFO;
            case WARN -> LogLevel.WARN;
            case ERROR -> LogLevel.ERROR;
        };
    }

    private static boolean on(LogLevel l) {
        return LogOutput.enabled(l);
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isTraceEnabled(Marker marker) {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return on(LogLevel.DEBUG);
    }

    @Override
    public boolean isDebugEnabled(Marker marker) {
        return on(LogLevel.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return on(LogLevel.INFO);
    }

    @Override
    public boolean isInfoEnabled(Marker marker) {
        return on(LogLevel.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return on(LogLevel.WARN);
    }

    @Override
    public boolean isWarnEnabled(Marker marker) {
        return on(LogLevel.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return on(LogLevel.ERROR);
    }

    @Override
    public boolean isErrorEnabled(Marker marker) {
        return on(LogLevel.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable error) {
        LogLevel l = level(level);
        if (l != null && on(l)) {
            LogOutput.write(l, LogOutput.caller(), MessageFormatter.basicArrayFormat(pattern, args), List.of(), error);
        }
    }

    @Override
    public void log(LoggingEvent event) {
        LogLevel l = level(event.getLevel());
        if (l == null || !on(l)) {
            return;
        }
        Object[] args = event.getArgumentArray();
        String message = args == null ? event.getMessage() : MessageFormatter.basicArrayFormat(event.getMessage(), args);
        List<Map.Entry<String, Object>> fields = new ArrayList<>();
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                fields.add(new AbstractMap.SimpleImmutableEntry<>(kv.key, kv.value));
            }
        }
        LogOutput.write(l, LogOutput.caller(), message, fields, event.getThrowable());
    }
}

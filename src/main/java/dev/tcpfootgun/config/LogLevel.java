package dev.tcpfootgun.config;

import java.util.Locale;

/** --log.level: only lines at this severity or above are written (node_exporter's four levels). */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR;

    /** As promslog writes it in a line: DEBUG, INFO, WARN, ERROR. */
    public String label() {
        return name();
    }

    static LogLevel parse(String value) throws BadFlagException {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadFlagException("--log.level: expected debug, info, warn or error, got \"" + value + "\"");
        }
    }
}

package dev.tcpfootgun.config;

import java.util.Locale;

/** --log.format: logfmt (key=value) or one JSON object a line, as prometheus/common promslog writes them. */
public enum LogFormat {
    LOGFMT, JSON;

    static LogFormat parse(String value) throws BadFlagException {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadFlagException("--log.format: expected logfmt or json, got \"" + value + "\"");
        }
    }
}

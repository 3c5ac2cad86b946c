package dev.tcpfootgun.config;

/** A flag or value the exporter cannot use; the message is the one line printed before exit 2. */
public final class BadFlagException extends Exception {
    public BadFlagException(String message) {
        super(message);
    }
}

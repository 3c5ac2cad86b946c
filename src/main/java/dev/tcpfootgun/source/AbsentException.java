package dev.tcpfootgun.source;

import java.io.IOException;

/**
 * Thrown by a source when the kernel or this setting does not offer what it reads (no conntrack
 * module, a namespace not entered): a documented state, read as an absent reading, not a failure.
 */
public class AbsentException extends IOException {
    public AbsentException(String reason) {
        super(reason);
    }
}

package dev.tcpfootgun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an OutOfMemoryError does. In a source it costs that source only: NodeReader catches it and
 * the source reads as failed, its memory garbage once the read is dropped. One that reaches the top
 * of a thread (nothing caught it, so the process may be half-broken) exits with code 3 after one log
 * line, as -XX:+ExitOnOutOfMemoryError did, so the kubelet restarts the pod. That JVM flag is not
 * used: it exits wherever the error is thrown, so one oversized kernel file killed the process.
 */
final class OutOfMemoryExit implements Thread.UncaughtExceptionHandler {

    /** The code -XX:+ExitOnOutOfMemoryError exits with, kept so restarts look as they did. */
    static final int EXIT_OUT_OF_MEMORY = 3;

    private final Thread.UncaughtExceptionHandler next;

    private OutOfMemoryExit(Thread.UncaughtExceptionHandler next) {
        this.next = next;
    }

    /** Installs the handler for every thread that has none of its own. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler(new OutOfMemoryExit(Thread.getDefaultUncaughtExceptionHandler()));
    }

    @Override
    public void uncaughtException(Thread t, Throwable e) {
        if (e instanceof OutOfMemoryError) {
            try {
                Logger log = LoggerFactory.getLogger(OutOfMemoryExit.class);
                log.error("out of memory in thread {} outside any source ({}); exiting so the process is restarted",
                        t.getName(), e.getMessage());
            } finally {
                Runtime.getRuntime().halt(EXIT_OUT_OF_MEMORY); // no shutdown hooks: they may need memory too
            }
        }
        if (next != null) {
            next.uncaughtException(t, e);
        } else {
            System.err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace();
        }
    }
}

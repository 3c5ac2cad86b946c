package dev.tcpfootgun;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP, which by default kills a JVM (exit 129): here it re-reads the web config and is logged.
 * Java has no public API for a signal other than the shutdown hooks' SIGTERM/SIGINT, so this uses
 * sun.misc.Signal (module jdk.unsupported, exported for exactly this); where that is missing the
 * default stays and is logged.
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> {
                LOG.info("SIGHUP: re-reading the web config");
                action.run();
            });
        } catch (IllegalArgumentException | LinkageError e) {
            LOG.warn("cannot handle SIGHUP ({}): it will stop the process", e.toString());
        }
    }
}

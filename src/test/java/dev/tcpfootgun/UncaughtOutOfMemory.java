package dev.tcpfootgun;

/**
 * A process that installs the exporter's OutOfMemoryError policy, then lets one escape a thread:
 * OutOfMemoryExitIT runs it and expects exit 3 with one log line. With "caught" the error is caught,
 * as a source's is, and the process goes on to exit 0.
 */
public final class UncaughtOutOfMemory {
    private UncaughtOutOfMemory() {}

    public static void main(String[] args) throws Exception {
        OutOfMemoryExit.install();
        boolean caught = args.length > 0 && args[0].equals("caught");
        Thread t = new Thread(() -> {
            try {
                throw new OutOfMemoryError("Java heap space (thrown by the test)");
            } catch (OutOfMemoryError e) {
                if (!caught) {
                    throw e;
                }
            }
        }, "render-1");
        t.start();
        t.join();
        Thread.sleep(2000); // the halt happens on the dying thread; main must not exit 0 first
        System.exit(0);
    }
}

package dev.tcpfootgun.source;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * The kernel's page size, from libc's getpagesize(2) through FFM: /proc/net/sockstat counts socket
 * memory in pages, and the page is 4 KiB on x86-64 but 16 or 64 KiB on some arm64 kernels, so
 * bytes need the running kernel's figure, as node_exporter takes it from os.Getpagesize.
 */
public final class PageSize {

    private static final long BYTES = read();

    private PageSize() {}

    public static long bytes() {
        return BYTES;
    }

    private static long read() {
        Linker linker = Linker.nativeLinker();
        MethodHandle getpagesize = linker.downcallHandle(linker.defaultLookup().find("getpagesize").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT));
        try {
            return (int) getpagesize.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("getpagesize failed", t);
        }
    }
}

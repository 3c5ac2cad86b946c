package dev.tcpfootgun.source.netlink;

import java.lang.foreign.MemorySegment;

/**
 * Receives each data message of a reply, header included, while its memory is alive: copy what
 * you need out, never keep the segment.
 */
@FunctionalInterface
public interface MessageSink {
    void accept(MemorySegment message);
}

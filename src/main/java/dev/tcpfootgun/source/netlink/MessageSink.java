package dev.tcpfootgun.source.netlink;

import java.lang.foreign.MemorySegment;

/**
 * Receives each data message of a reply, header included, while its memory is alive: copy what
 * you need out, never keep the segment.
 */
@FunctionalInterface
public interface MessageSink {
    void accept(MemorySegment message);

    /**
     * The message at [{@code offset}, {@code offset + length}) of {@code datagram}. By default a slice
     * handed to {@link #accept(MemorySegment)}; a sink that reads at an offset overrides this and
     * saves that slice, one object per message (100,000 of them in a busy node's socket dump).
     */
    default void accept(MemorySegment datagram, long offset, long length) {
        accept(datagram.asSlice(offset, length));
    }

    /**
     * The same message, with {@code heap} a copy of the datagram's bytes that the walk read its headers
     * from: a sink that decodes from an array overrides this and skips copying the datagram again.
     */
    default void accept(MemorySegment datagram, byte[] heap, int offset, int length) {
        accept(datagram, offset, length);
    }
}

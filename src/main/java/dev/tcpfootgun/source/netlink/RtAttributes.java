package dev.tcpfootgun.source.netlink;

import java.lang.foreign.MemorySegment;

/** Finds one attribute in a run of rtattrs that starts at an offset and ends with its message. */
final class RtAttributes {
    static final long ABSENT = -1;

    private RtAttributes() {}

    /** Offset of the attribute of {@code type} within [start, end), or ABSENT (also on a malformed run). */
    static long find(MemorySegment m, long start, long end, int type) {
        for (long off = start; off + Nlattr.HEADER <= end; ) {
            int len = Nlattr.length(m, off);
            if (len < Nlattr.HEADER || off + len > end) {
                return ABSENT;
            }
            if (Nlattr.type(m, off) == type) {
                return off;
            }
            off += Nlattr.align(len);
        }
        return ABSENT;
    }

    /** The string attribute of {@code type} among those from {@code start} to the message end, or null. */
    static String string(MemorySegment m, long start, int type) {
        long at = find(m, start, m.byteSize(), type);
        return at == ABSENT ? null : Nlattr.string(m, at + Nlattr.HEADER, Nlattr.length(m, at) - Nlattr.HEADER);
    }
}

package dev.tcpfootgun.source.netlink;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Walks the netlink messages (struct nlmsghdr, 16 bytes, then payload; 4-byte aligned) in one
 * received datagram. Pure: no I/O, so captured bytes can be replayed in tests.
 */
public final class NetlinkMessages {
    public static final int HEADER = 16;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP = 0x300;
    /** On NLMSG_ERROR: the original request is not echoed back, only its header. */
    static final int NLM_F_CAPPED = 0x100;
    /** On NLMSG_ERROR: extended-ACK attributes follow the echoed request. */
    static final int NLM_F_ACK_TLVS = 0x200;
    static final int NLMSGERR_ATTR_MSG = 1;

    /** Matches any sequence number: for replaying captured bytes. */
    public static final long ANY_SEQ = -1;

    /** Bits of {@link #walk}'s result. */
    public static final int END = 1;
    public static final int INTERRUPTED = 2;

    private NetlinkMessages() {}

    public static int length(MemorySegment m, long off) {
        return m.get(Nlattr.U32, off);
    }

    public static int type(MemorySegment m) {
        return type(m, 0);
    }

    /** The type of the message that starts at {@code off}. */
    public static int type(MemorySegment m, long off) {
        return Short.toUnsignedInt(m.get(Nlattr.U16, off + 4));
    }

    public static int flags(MemorySegment m) {
        return flags(m, 0);
    }

    static int flags(MemorySegment m, long off) {
        return Short.toUnsignedInt(m.get(Nlattr.U16, off + 6));
    }

    public static long seq(MemorySegment m) {
        return seq(m, 0);
    }

    static long seq(MemorySegment m, long off) {
        return Integer.toUnsignedLong(m.get(Nlattr.U32, off + 8));
    }

    /**
     * Hands every data message of {@code datagram} to {@code sink}, skipping replies to another
     * sequence number (leftovers of an earlier, abandoned request).
     *
     * @return {@link #END} when NLMSG_DONE or an ACK ended the reply, ORed with {@link #INTERRUPTED}
     *     when any message carried NLM_F_DUMP_INTR
     * @throws NetlinkException for NLMSG_ERROR with a non-zero error, or NLMSG_DONE with a negative status
     * @throws IOException when a message length does not fit the datagram
     */
    public static int walk(MemorySegment datagram, long expectedSeq, String operation, MessageSink sink)
            throws IOException {
        if (datagram.byteSize() > Integer.MAX_VALUE - 8) {
            throw new IOException(operation + ": " + datagram.byteSize() + " bytes of netlink messages at once");
        }
        return (int) walk(datagram, datagram.toArray(ValueLayout.JAVA_BYTE), expectedSeq, operation, sink);
    }

    /**
     * {@link #walk(MemorySegment, long, String, MessageSink)} with the headers read from {@code heap}, a copy
     * of the datagram's bytes (at least as long as it): four segment reads a message are a chain of
     * calls each under the C1-only JIT, and a busy node's socket dump has 100,000 messages and more.
     *
     * @return the status bits in the low 32 bits, the count of data messages handed to {@code sink} in the
     *     high 32 (counted here: a counting wrapper around the sink was one more call a message)
     */
    static long walk(MemorySegment datagram, byte[] heap, long expectedSeq, String operation, MessageSink sink)
            throws IOException {
        int size = (int) datagram.byteSize();
        int result = 0;
        long handed = 0;
        int off = 0;
        while (off + HEADER <= size) {
            int len = HostBytes.s32(heap, off);
            if (len < HEADER || len > size - off) {
                throw new IOException(operation + ": malformed netlink message, length " + len
                        + " at offset " + off + " of " + size);
            }
            int at = off;
            off += (len + 3) & ~3; // len fits the datagram, which is below 2^31 - 8: no wrap
            if (expectedSeq != ANY_SEQ && Integer.toUnsignedLong(HostBytes.s32(heap, at + 8)) != expectedSeq) {
                continue;
            }
            if ((HostBytes.u16(heap, at + 6) & NLM_F_DUMP_INTR) != 0) {
                result |= INTERRUPTED;
            }
            int type = HostBytes.u16(heap, at + 4);
            if (type > NLMSG_OVERRUN || type < NLMSG_NOOP) {
                sink.accept(datagram, heap, at, len); // data: the hot path, no slice
                handed++;
                continue;
            }
            MemorySegment message = datagram.asSlice(at, len);
            switch (type) {
                case NLMSG_NOOP -> { }
                case NLMSG_DONE -> {
                    int status = len >= HEADER + 4 ? message.get(Nlattr.U32, HEADER) : 0;
                    if (status < 0) {
                        throw new NetlinkException(operation, -status, extAckMessage(message, HEADER + 4));
                    }
                    return handed << 32 | result | END;
                }
                case NLMSG_ERROR -> {
                    if (len < HEADER + 4) {
                        throw new IOException(operation + ": NLMSG_ERROR without an error code");
                    }
                    int error = message.get(Nlattr.U32, HEADER);
                    if (error == 0) {
                        return handed << 32 | result | END; // an ACK
                    }
                    throw new NetlinkException(operation, -error, errorTlvMessage(message));
                }
                case NLMSG_OVERRUN -> throw new IOException(operation + ": netlink overrun, data lost");
            }
        }
        return handed << 32 | result;
    }

    /** struct nlmsgerr {int error; nlmsghdr request; [request payload unless capped]} then TLVs. */
    private static String errorTlvMessage(MemorySegment message) {
        if ((flags(message) & NLM_F_ACK_TLVS) == 0 || message.byteSize() < HEADER + 4 + HEADER) {
            return null;
        }
        long echoed = HEADER;
        if ((flags(message) & NLM_F_CAPPED) == 0) {
            // the echoed request's own length, unsigned; one that does not fit means no readable TLVs
            echoed = (Integer.toUnsignedLong(length(message, HEADER + 4)) + 3) & ~3L;
            if (echoed < HEADER || echoed > message.byteSize() - HEADER - 4) {
                return null;
            }
        }
        return extAckMessage(message, HEADER + 4 + echoed);
    }

    private static String extAckMessage(MemorySegment message, long start) {
        long end = message.byteSize();
        for (long off = start; off + Nlattr.HEADER <= end; ) {
            int len = Nlattr.length(message, off);
            if (len < Nlattr.HEADER || off + len > end) {
                return null;
            }
            if (Nlattr.type(message, off) == NLMSGERR_ATTR_MSG) {
                return Nlattr.string(message, off + Nlattr.HEADER, len - Nlattr.HEADER);
            }
            off += Nlattr.align(len);
        }
        return null;
    }
}

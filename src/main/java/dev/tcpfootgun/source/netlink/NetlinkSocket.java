package dev.tcpfootgun.source.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * One AF_NETLINK socket talking to the kernel. Not thread-safe: open one per read (it is one
 * syscall), which also means no stale replies from an abandoned request can arrive.
 *
 * <p>Native memory lives in one confined arena per request, closed before the call returns; sinks
 * copy what they need while the message is alive.
 */
public final class NetlinkSocket implements NetlinkTransport.Channel {
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_SOCK_DIAG = 4;
    public static final int NETLINK_NETFILTER = 12;

    /** Above SKB_WITH_OVERHEAD(32768), the largest dump datagram the kernel builds. */
    static final int RECEIVE_BUFFER = 64 * 1024;
    private static final int SOCKADDR_NL_SIZE = 12;

    private final int fd;
    private final Duration receiveTimeout;
    private final int receiveBuffer;
    private int nextSeq;
    private boolean closed;

    /**
     * @param protocol NETLINK_ROUTE, NETLINK_SOCK_DIAG, NETLINK_NETFILTER...
     * @param receiveTimeout SO_RCVTIMEO, so a wedged dump cannot hang a scrape
     */
    public NetlinkSocket(int protocol, Duration receiveTimeout) throws IOException {
        this(protocol, receiveTimeout, RECEIVE_BUFFER);
    }

    /** A smaller {@code receiveBuffer} exists only to prove truncation is detected. */
    NetlinkSocket(int protocol, Duration receiveTimeout, int receiveBuffer) throws IOException {
        this.receiveTimeout = receiveTimeout;
        this.receiveBuffer = receiveBuffer;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            int s = (int) Syscalls.SOCKET.invokeExact(capture,
                    Syscalls.AF_NETLINK, Syscalls.SOCK_RAW | Syscalls.SOCK_CLOEXEC, protocol);
            if (s < 0) {
                throw new NetlinkException("socket(AF_NETLINK, " + protocol + ")", Syscalls.errno(capture), null);
            }
            this.fd = s;
            try {
                MemorySegment timeval = arena.allocate(16, 8);
                timeval.set(ValueLayout.JAVA_LONG, 0, receiveTimeout.toSeconds());
                timeval.set(ValueLayout.JAVA_LONG, 8, receiveTimeout.toNanosPart() / 1000);
                setOption(capture, Syscalls.SOL_SOCKET, Syscalls.SO_RCVTIMEO, timeval, true);
                MemorySegment one = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
                // extended ACKs add the kernel's reason text to errors; older kernels lack it, harmless
                setOption(capture, Syscalls.SOL_NETLINK, Syscalls.NETLINK_EXT_ACK, one, false);
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly();
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
        this.nextSeq = (int) (System.nanoTime() & 0x3fffffff) + 1;
    }

    /** Sends a dump request (NLM_F_REQUEST | NLM_F_DUMP) and feeds every reply message to the sink. */
    @Override
    public DumpResult dump(int type, byte[] body, MessageSink sink) throws IOException {
        return exchange(type, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_DUMP, body, sink);
    }

    /** Sends a single request with NLM_F_ACK, so the reply ends with the kernel's ACK. */
    @Override
    public DumpResult request(int type, byte[] body, MessageSink sink) throws IOException {
        return exchange(type, NetlinkMessages.NLM_F_REQUEST | NetlinkMessages.NLM_F_ACK, body, sink);
    }

    private DumpResult exchange(int type, int flags, byte[] body, MessageSink sink) throws IOException {
        if (closed) {
            throw new IOException("netlink socket is closed");
        }
        int seq = nextSeq++;
        String operation = "netlink request type " + type;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Syscalls.CAPTURE_LAYOUT);
            send(arena, capture, type, flags, seq, body, operation);
            MemorySegment buffer = arena.allocate(receiveBuffer, 8);
            Receiver recv = b -> {
                long n = (long) Syscalls.RECV.invokeExact(capture, fd, b, b.byteSize(), Syscalls.MSG_TRUNC);
                return n < 0 ? -Syscalls.errno(capture) : n;
            };
            return readReply(recv, buffer, Integer.toUnsignedLong(seq), operation, receiveTimeout, sink);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("downcall failed", t);
        }
    }

    /** One recv(2) into the buffer: the datagram's true length (MSG_TRUNC), or minus the errno. */
    @FunctionalInterface
    interface Receiver {
        long receive(MemorySegment buffer) throws Throwable;
    }

    /**
     * Receives datagrams until the reply to {@code seq} ends, feeding its data messages to the sink.
     * Separate from the socket so that the kernel's failures (ENOBUFS, a timeout, a truncated or
     * empty datagram, an interrupted dump) can be replayed byte for byte in tests.
     */
    static DumpResult readReply(Receiver recv, MemorySegment buffer, long seq, String operation, Duration timeout,
            MessageSink sink) throws IOException {
        long capacity = buffer.byteSize();
        boolean interrupted = false;
        long messages = 0;
        byte[] heap = new byte[0]; // as large as the largest datagram: most replies are a few KiB, a dump's about 32 KiB
        while (true) {
            long n;
            try {
                n = recv.receive(buffer);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("downcall failed", t);
            }
            if (n < 0) {
                int errno = (int) -n;
                if (errno == Errno.EINTR) {
                    continue;
                }
                // ENOBUFS: the socket's receive queue overflowed and the kernel dropped part of the reply
                throw new NetlinkException(errno == Errno.EAGAIN
                        ? operation + ": no reply within " + timeout.toMillis() + " ms"
                        : operation + ": recv", errno, null);
            }
            if (n > capacity) {
                // MSG_TRUNC makes recv return the datagram's true length; the rest is lost
                throw new IOException(operation + ": datagram of " + n + " bytes truncated to " + capacity);
            }
            if (n == 0) {
                throw new IOException(operation + ": empty datagram before NLMSG_DONE");
            }
            if (heap.length < n) {
                heap = new byte[(int) n];
            }
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, heap, 0, (int) n);
            long walked = NetlinkMessages.walk(buffer.asSlice(0, n), heap, seq, operation, sink);
            messages += walked >>> 32;
            interrupted |= (walked & NetlinkMessages.INTERRUPTED) != 0;
            if ((walked & NetlinkMessages.END) != 0) {
                return new DumpResult(messages, interrupted);
            }
        }
    }

    private void send(Arena arena, MemorySegment capture, int type, int flags, int seq, byte[] body, String operation)
            throws Throwable {
        int len = NetlinkMessages.HEADER + body.length;
        MemorySegment request = arena.allocate(len, 4);
        request.set(Nlattr.U32, 0, len);
        request.set(Nlattr.U16, 4, (short) type);
        request.set(Nlattr.U16, 6, (short) flags);
        request.set(Nlattr.U32, 8, seq);
        request.set(Nlattr.U32, 12, 0); // the kernel fills in our port id
        MemorySegment.copy(body, 0, request, ValueLayout.JAVA_BYTE, NetlinkMessages.HEADER, body.length);
        MemorySegment kernel = arena.allocate(SOCKADDR_NL_SIZE, 4); // sockaddr_nl, nl_pid 0 = the kernel
        kernel.set(Nlattr.U16, 0, (short) Syscalls.AF_NETLINK);
        while (true) {
            long sent = (long) Syscalls.SENDTO.invokeExact(capture, fd, request, (long) len, 0, kernel, SOCKADDR_NL_SIZE);
            if (sent == len) {
                return;
            }
            int errno = Syscalls.errno(capture);
            if (sent < 0 && errno == Errno.EINTR) {
                continue;
            }
            if (sent >= 0) {
                throw new IOException(operation + ": sent " + sent + " of " + len + " bytes");
            }
            throw new NetlinkException(operation + ": sendto", errno, null);
        }
    }

    private void setOption(MemorySegment capture, int level, int name, MemorySegment value, boolean required)
            throws Throwable {
        int rc = (int) Syscalls.SETSOCKOPT.invokeExact(capture, fd, level, name, value, (int) value.byteSize());
        if (rc < 0 && required) {
            throw new NetlinkException("setsockopt(" + level + ", " + name + ")", Syscalls.errno(capture), null);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            int ignored = (int) Syscalls.CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new AssertionError("close failed", t);
        }
    }

    /** How a reply ended. */
    public record DumpResult(long messages, boolean interrupted) {}
}

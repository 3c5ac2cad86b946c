package dev.tcpfootgun.snapshot;

/**
 * INET_DIAG_SKMEMINFO (SK_MEMINFO_* in include/uapi/linux/sock_diag.h), bytes. Fields an older
 * kernel does not send are -1.
 */
public record SocketMemory(
        long rmemAlloc,
        long rcvBuf,
        long wmemAlloc,
        long sndBuf,
        long fwdAlloc,
        long wmemQueued,
        long optMem,
        long backlog,
        long drops) {}

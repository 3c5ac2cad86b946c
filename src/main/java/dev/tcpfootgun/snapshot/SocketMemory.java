package dev.tcpfootgun.snapshot;

/**
 * The buffer sizes of INET_DIAG_SKMEMINFO (SK_MEMINFO_RCVBUF and SK_MEMINFO_SNDBUF in
 * include/uapi/linux/sock_diag.h), bytes; -1 when an older kernel did not send them. The array's other
 * seven counters are not kept: no check or metric reads them, and a detailed connection is held for the
 * whole scrape (at 100,000 sockets the nine longs were 56 bytes more a connection for the GC to copy).
 */
public record SocketMemory(long rcvBuf, long sndBuf) {}

package dev.tcpfootgun.testing;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kernel files far larger than a kernel prints, written quickly for a fixture tree: a socket table
 * of a busy node, a file with a hole of NUL bytes (sparse: no disk behind it) between valid lines,
 * a sysctl of megabytes, a sockstat of thousands of protocols.
 */
public final class HugeKernelFiles {
    private HugeKernelFiles() {}

    /**
     * A /proc/net/tcp of {@code sockets} lines as a busy proxy's: 4 listeners, then sockets up to
     * {@code established} ESTABLISHED from 2000 clients to :443, the rest TIME_WAIT from 10.0.0.1
     * towards 50 upstreams. Written as tcp4_seq_show writes them.
     */
    public static void tcp(Path file, int sockets, int established) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            w.write("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
            StringBuilder line = new StringBuilder(160);
            for (int i = 0; i < sockets; i++) {
                line.setLength(0);
                String pad = Integer.toString(i);
                line.append(" ".repeat(Math.max(0, 6 - pad.length()))).append(pad).append(": ");
                if (i < 4) {
                    hexIp(line, 0, 0, 0, 0).append(':');
                    hex(line, 443 + i, 4).append(" 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 0")
                            .append(" 1 0000000000000000 100 0 0 10 0");
                } else if (i < established) {
                    hexIp(line, 10, 0, 0, 1).append(':');
                    hex(line, 443, 4).append(' ');
                    hexIp(line, 192, 168, (i % 2000) / 250, (i % 250) + 1).append(':');
                    hex(line, 1024 + i % 60000, 4).append(" 01 00000000:00000000 02:000007D0 00000000     0        0 ")
                            .append(100_000 + i).append(" 1 0000000000000000 20 4 30 10 -1");
                } else {
                    hexIp(line, 10, 0, 0, 1).append(':');
                    hex(line, 32768 + i % 28000, 4).append(' ');
                    hexIp(line, 10, 1, 0, i % 50 + 1).append(':');
                    hex(line, 5432, 4).append(" 06 00000000:00000000 03:00001736 00000000     0        0 0 3 0000000000000000");
                }
                w.append(line).append('\n');
            }
        }
    }

    /** The kernel prints each address word host-order (little-endian here): 10.0.0.1 is 0100000A. */
    private static StringBuilder hexIp(StringBuilder b, int a, int b2, int c, int d) {
        return hex(hex(hex(hex(b, d, 2), c, 2), b2, 2), a, 2);
    }

    private static StringBuilder hex(StringBuilder b, int value, int digits) {
        String h = Integer.toHexString(value).toUpperCase(java.util.Locale.ROOT);
        return b.append("0".repeat(Math.max(0, digits - h.length()))).append(h);
    }

    /**
     * {@code before}, then a line of NUL bytes (a hole, so the file takes no disk) up to
     * {@code size} bytes, then {@code after} on the next line: a parser reads {@code after} only if
     * it got through the whole file.
     */
    public static void aroundAHole(Path file, String before, long size, String after) throws IOException {
        byte[] head = before.getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\n" + after).getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(head);
            f.seek(size - tail.length);
            f.write(tail);
        }
    }

    /** A text value of {@code bytes} bytes on one line: words, as a list-valued sysctl prints them. */
    public static void longValue(Path file, int bytes) throws IOException {
        StringBuilder b = new StringBuilder(bytes + 16);
        while (b.length() < bytes) {
            b.append("reno cubic ");
        }
        b.setLength(bytes - 1);
        b.append('\n');
        Files.writeString(file, b, StandardCharsets.US_ASCII);
    }

    /** A sockstat with {@code protocols} made-up protocols after {@code real}'s lines. */
    public static void manyProtocols(Path file, String real, int protocols) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            w.write(real);
            for (int i = 0; i < protocols; i++) {
                w.write("P" + i + ": inuse " + i + "\n");
            }
        }
    }
}

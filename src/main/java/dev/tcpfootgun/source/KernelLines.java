package dev.tcpfootgun.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.file.Path;

/**
 * A kernel text file one line at a time, in memory bounded whatever the file's size: a fixed read
 * buffer and one line buffer of at most {@link #MAX_LINE} characters. A longer line is not kept: its
 * first characters are, {@link #overlong()} says so, and the rest is passed over up to its newline,
 * so a 1 GB line costs no more than a short one. Bytes are read as US-ASCII, as the kernel writes
 * these files (a byte above 0x7F becomes U+FFFD, as {@code new String(bytes, US_ASCII)} makes it).
 *
 * <p>The primitive every procfs parser reads through, for the exporter's own namespace and for
 * {@code /proc/<pid>/net/...} of others; {@link FieldCursor} splits its lines into fields.
 */
public final class KernelLines implements AutoCloseable {

    /**
     * The longest line kept. The kernel's longest line today is netstat's TcpExt names (about 2.2 KB
     * on 6.18); 64 KiB leaves room for decades of new counters and still bounds a line's memory.
     */
    public static final int MAX_LINE = 64 * 1024;

    private static final int READ_BUFFER = 32 * 1024;
    /**
     * The first read's buffer: netstat's 4 KiB, snmp's and sockstat's fit in one read, so the small
     * files a scrape reads cost 8 KiB each, not 32; a read that fills it doubles it up to {@link #READ_BUFFER}.
     */
    private static final int FIRST_READ = 8 * 1024;

    private final InputStream in;
    private final String text;
    private final int maxLine;
    private byte[] buffer;
    private int position;
    private int limit;
    private boolean ended;

    private char[] line = new char[256];
    private CharBuffer view = CharBuffer.wrap(line);
    private int length;
    private boolean overlong;
    private long number;

    private KernelLines(InputStream in, String text, int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("line bound " + maxLine);
        }
        this.in = in;
        this.text = text;
        this.maxLine = maxLine;
        this.buffer = in == null ? null : new byte[FIRST_READ];
    }

    /**
     * Opens a kernel file, or returns null when it does not exist (also when it vanishes between the
     * look and the open, as a sysfs device removed mid-scrape does). A FIFO or folder where a kernel
     * file belongs is refused rather than read (it would block or fail obscurely); permission denied
     * says so with the path.
     */
    public static KernelLines open(Path file) throws IOException {
        return open(file, MAX_LINE);
    }

    /** As {@link #open(Path)}, keeping lines of at most {@code maxLine} characters. */
    public static KernelLines open(Path file, int maxLine) throws IOException {
        InputStream in = KernelFiles.open(file);
        return in == null ? null : new KernelLines(in, null, maxLine);
    }

    /** Opens a file that must exist; a missing one is an IOException naming it. */
    public static KernelLines required(Path file) throws IOException {
        KernelLines lines = open(file);
        if (lines == null) {
            throw new IOException("required file missing: " + file);
        }
        return lines;
    }

    /** Lines of a stream (closed with this), kept up to {@code maxLine} characters. */
    public static KernelLines of(InputStream in, int maxLine) {
        return new KernelLines(in, null, maxLine);
    }

    /** Lines of text already in memory (tests, small reads), under the same bound as a file's. */
    public static KernelLines of(String text) {
        return new KernelLines(null, text, MAX_LINE);
    }

    /** Moves to the next line; false at the end. A last line without its newline still counts. */
    public boolean next() throws IOException {
        length = 0;
        overlong = false;
        if (in == null ? position >= text.length() : !fill()) {
            return false;
        }
        number++;
        if (in == null) {
            nextFromText();
            return true;
        }
        while (true) {
            int i = position;
            int end = limit;
            byte[] b = buffer;
            while (i < end && b[i] != '\n') {
                i++;
            }
            append(b, position, i);
            position = i;
            if (i < end) {
                position++; // the newline
                return true;
            }
            if (!fill()) {
                return true;
            }
        }
    }

    private void nextFromText() {
        int newline = text.indexOf('\n', position);
        int end = newline < 0 ? text.length() : newline;
        int keep = Math.min(end - position, maxLine);
        ensure(keep);
        text.getChars(position, position + keep, line, 0);
        length = keep;
        overlong = end - position > maxLine;
        position = end + 1;
    }

    /** Refills the read buffer when it is used up; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (position < limit) {
            return true;
        }
        if (ended) {
            return false;
        }
        if (limit == buffer.length && buffer.length < READ_BUFFER) {
            buffer = new byte[Math.min(READ_BUFFER, buffer.length * 2)]; // the last read filled it: a long file
        }
        int n = in.read(buffer, 0, buffer.length);
        while (n == 0) {
            n = in.read(buffer, 0, buffer.length);
        }
        if (n < 0) {
            ended = true;
            position = limit = 0;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private void append(byte[] b, int from, int to) {
        int room = maxLine - length;
        int n = to - from;
        if (n > room) {
            overlong = true;
            n = room;
        }
        if (n <= 0) {
            return;
        }
        ensure(length + n);
        for (int i = 0; i < n; i++) {
            int c = b[from + i];
            line[length + i] = c >= 0 ? (char) c : '\uFFFD';
        }
        length += n;
    }

    private void ensure(int capacity) {
        if (capacity > line.length) {
            char[] bigger = new char[Math.min(maxLine, Math.max(capacity, line.length * 2))];
            System.arraycopy(line, 0, bigger, 0, length);
            line = bigger;
            view = CharBuffer.wrap(line);
        }
    }

    /** The current line's characters, valid in [0, {@link #length()}) until the next call to {@link #next()}. */
    public char[] chars() {
        return line;
    }

    /** The same characters as a CharSequence over the line buffer (no copy), for the JDK's number parsers. */
    public CharSequence sequence() {
        return view;
    }

    public int length() {
        return length;
    }

    /** Whether the current line was longer than the bound: only its first characters are kept. */
    public boolean overlong() {
        return overlong;
    }

    /** The current line's number, from 1. */
    public long number() {
        return number;
    }

    /** The current line as a String (a copy). */
    public String line() {
        return new String(line, 0, length);
    }

    /** The line bound this reader keeps. */
    public int maxLine() {
        return maxLine;
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }
}

package dev.tcpfootgun.source;

import java.io.IOException;
import java.util.Arrays;

/**
 * Walks a kernel text file line by line ({@link KernelLines}, so in bounded memory) and remembers
 * where each whitespace-separated field of the current line starts and ends, so that parsing 100k
 * socket lines makes no String per field. A line longer than the reader's bound is skipped and
 * counted in the ParseLog, never parsed from its first part. Number readers throw
 * {@link NumberFormatException}; callers skip the line.
 */
public final class FieldCursor {
    private final KernelLines lines;
    private final ParseLog log;
    private final String file;
    private char[] text;
    private CharSequence sequence;
    private int lineStart;
    private int lineEnd;
    private int count;
    private int[] starts = new int[32];
    private int[] ends = new int[32];

    /** @param file what the lines are of, for the skip message of a line over the bound ("tcp6") */
    public FieldCursor(KernelLines lines, ParseLog log, String file) {
        this.lines = lines;
        this.log = log;
        this.file = file;
    }

    /** Moves to the next line that has at least one field; false at the end of the file. */
    public boolean nextLine() throws IOException {
        while (lines.next()) {
            if (lines.overlong()) {
                log.skip(file + ": line " + lines.number() + " is longer than " + lines.maxLine() + " characters");
                continue;
            }
            text = lines.chars();
            sequence = lines.sequence();
            lineStart = 0;
            lineEnd = lines.length();
            split();
            if (count > 0) {
                return true;
            }
        }
        count = 0;
        return false;
    }

    private void split() {
        count = 0;
        int i = lineStart;
        while (i < lineEnd) {
            while (i < lineEnd && isBlank(text[i])) {
                i++;
            }
            if (i == lineEnd) {
                break;
            }
            int start = i;
            while (i < lineEnd && !isBlank(text[i])) {
                i++;
            }
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            starts[count] = start;
            ends[count] = i;
            count++;
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    public int count() {
        return count;
    }

    public int start(int field) {
        return starts[field];
    }

    public int end(int field) {
        return ends[field];
    }

    public char charAt(int position) {
        return text[position];
    }

    public String field(int field) {
        return new String(text, starts[field], ends[field] - starts[field]);
    }

    /** The field's length in characters, without making a String of it. */
    public int length(int field) {
        return ends[field] - starts[field];
    }

    public boolean is(int field, String value) {
        if (ends[field] - starts[field] != value.length()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (text[starts[field] + i] != value.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The current line without surrounding blanks, cut short, for a skip message. */
    public String line() {
        String line = new String(text, lineStart, lineEnd - lineStart).strip();
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }

    /** Absolute position of {@code separator} inside the field; throws when it is not there. */
    public int find(int field, char separator) {
        for (int i = starts[field]; i < ends[field]; i++) {
            if (text[i] == separator) {
                return i;
            }
        }
        throw new NumberFormatException("no '" + separator + "' in \"" + field(field) + "\"");
    }

    /** Unsigned hex between two absolute positions, up to 16 digits. */
    public long hex(int from, int to) {
        return Long.parseUnsignedLong(sequence, from, to, 16);
    }

    public long hex(int field) {
        return hex(starts[field], ends[field]);
    }

    /** Unsigned hex below 2^63, for quantities; a larger value throws rather than turning negative. */
    public long quantityHex(int from, int to) {
        long v = hex(from, to);
        if (v < 0) {
            throw new NumberFormatException("hex value above 2^63-1: \"" + new String(text, from, to - from) + "\"");
        }
        return v;
    }

    public long quantityHex(int field) {
        return quantityHex(starts[field], ends[field]);
    }

    /** Unsigned hex that fits an int (states, timer codes, retransmit counts); larger values throw. */
    public int smallHex(int from, int to) {
        long v = quantityHex(from, to);
        if (v > Integer.MAX_VALUE) {
            throw new NumberFormatException("hex value above 2^31-1: \"" + new String(text, from, to - from) + "\"");
        }
        return (int) v;
    }

    public int smallHex(int field) {
        return smallHex(starts[field], ends[field]);
    }

    /** Signed decimal, as the kernel prints %d, %u and %lu below 2^63. */
    public long decimal(int field) {
        return Long.parseLong(sequence, starts[field], ends[field], 10);
    }

    /** A decimal the kernel prints unsigned (%u, %lu); a minus sign throws. */
    public long unsignedDecimal(int field) {
        long v = decimal(field);
        if (v < 0) {
            throw new NumberFormatException("negative value where the kernel prints unsigned: \"" + field(field) + "\"");
        }
        return v;
    }

    /** A decimal the kernel prints as %d; outside the int range throws instead of being truncated. */
    public int intDecimal(int field) {
        long v = decimal(field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new NumberFormatException("value outside int: \"" + field(field) + "\"");
        }
        return (int) v;
    }

    /** Clock ticks as milliseconds; a tick count whose milliseconds exceed a long throws. */
    public static long ticksToMillis(long ticks, long millisPerTick) {
        if (ticks < 0 || ticks > Long.MAX_VALUE / millisPerTick) {
            throw new NumberFormatException("tick count out of range: " + ticks);
        }
        return ticks * millisPerTick;
    }
}

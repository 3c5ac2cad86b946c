package dev.tcpfootgun.source;

import java.util.Arrays;

/**
 * Walks a kernel text file line by line and remembers where each whitespace-separated field of the
 * current line starts and ends, so that parsing 100k socket lines makes no String per field.
 * Number readers throw {@link NumberFormatException}; callers skip the line.
 */
final class FieldCursor {
    private final String text;
    private int next;
    private int lineStart;
    private int lineEnd;
    private int count;
    private int[] starts = new int[32];
    private int[] ends = new int[32];

    FieldCursor(String text) {
        this.text = text;
    }

    /** Moves to the next line that has at least one field; false at the end of the text. */
    boolean nextLine() {
        while (next < text.length()) {
            lineStart = next;
            int newline = text.indexOf('\n', next);
            lineEnd = newline < 0 ? text.length() : newline;
            next = lineEnd + 1;
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
            while (i < lineEnd && isBlank(text.charAt(i))) {
                i++;
            }
            if (i == lineEnd) {
                break;
            }
            int start = i;
            while (i < lineEnd && !isBlank(text.charAt(i))) {
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

    int count() {
        return count;
    }

    int start(int field) {
        return starts[field];
    }

    int end(int field) {
        return ends[field];
    }

    char charAt(int position) {
        return text.charAt(position);
    }

    String field(int field) {
        return text.substring(starts[field], ends[field]);
    }

    boolean is(int field, String value) {
        return ends[field] - starts[field] == value.length()
                && text.regionMatches(starts[field], value, 0, value.length());
    }

    /** The current line without surrounding blanks, cut short, for a skip message. */
    String line() {
        String line = text.substring(lineStart, lineEnd).strip();
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }

    /** Absolute position of {@code separator} inside the field; throws when it is not there. */
    int find(int field, char separator) {
        for (int i = starts[field]; i < ends[field]; i++) {
            if (text.charAt(i) == separator) {
                return i;
            }
        }
        throw new NumberFormatException("no '" + separator + "' in \"" + field(field) + "\"");
    }

    /** Unsigned hex between two absolute positions, up to 16 digits. */
    long hex(int from, int to) {
        return Long.parseUnsignedLong(text, from, to, 16);
    }

    long hex(int field) {
        return hex(starts[field], ends[field]);
    }

    /** Unsigned hex below 2^63, for quantities; a larger value throws rather than turning negative. */
    long quantityHex(int from, int to) {
        long v = hex(from, to);
        if (v < 0) {
            throw new NumberFormatException("hex value above 2^63-1: \"" + text.substring(from, to) + "\"");
        }
        return v;
    }

    long quantityHex(int field) {
        return quantityHex(starts[field], ends[field]);
    }

    /** Unsigned hex that fits an int (states, timer codes, retransmit counts); larger values throw. */
    int smallHex(int from, int to) {
        long v = quantityHex(from, to);
        if (v > Integer.MAX_VALUE) {
            throw new NumberFormatException("hex value above 2^31-1: \"" + text.substring(from, to) + "\"");
        }
        return (int) v;
    }

    int smallHex(int field) {
        return smallHex(starts[field], ends[field]);
    }

    /** Signed decimal, as the kernel prints %d, %u and %lu below 2^63. */
    long decimal(int field) {
        return Long.parseLong(text, starts[field], ends[field], 10);
    }

    /** A decimal the kernel prints unsigned (%u, %lu); a minus sign throws. */
    long unsignedDecimal(int field) {
        long v = decimal(field);
        if (v < 0) {
            throw new NumberFormatException("negative value where the kernel prints unsigned: \"" + field(field) + "\"");
        }
        return v;
    }

    /** A decimal the kernel prints as %d; outside the int range throws instead of being truncated. */
    int intDecimal(int field) {
        long v = decimal(field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new NumberFormatException("value outside int: \"" + field(field) + "\"");
        }
        return (int) v;
    }

    /** Clock ticks as milliseconds; a tick count whose milliseconds exceed a long throws. */
    static long ticksToMillis(long ticks, long millisPerTick) {
        if (ticks < 0 || ticks > Long.MAX_VALUE / millisPerTick) {
            throw new NumberFormatException("tick count out of range: " + ticks);
        }
        return ticks * millisPerTick;
    }
}

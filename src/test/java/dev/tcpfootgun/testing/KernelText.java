package dev.tcpfootgun.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Generators of damaged kernel text for parser properties: a captured file with columns dropped,
 * duplicated or replaced by huge, negative and non-numeric values, lines cut, doubled or inserted,
 * and plain random text. Mutations are data, so jqwik shrinks a failure to the fewest that break.
 */
public final class KernelText {
    private KernelText() {}

    public enum Kind {
        REPLACE_FIELD, INSERT_FIELD, DROP_FIELD, DUPLICATE_FIELD, APPEND_TO_FIELD,
        CUT_LINE, DROP_LINE, DUPLICATE_LINE, INSERT_LINE, CUT_TEXT
    }

    /** One edit; {@code line} and {@code at} are reduced modulo what the text has. */
    public record Mutation(Kind kind, int line, int at, String value) {}

    /** Values a number column should never see, and some it should. */
    public static Arbitrary<String> weirdValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "-", "+", ":", "::", "-1", "-0", "+5", "0x10", "1e9", "NaN", "Infinity",
                        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                        "18446744073709551615", "18446744073709551616", "99999999999999999999999999",
                        "FFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFFF", "7FFFFFFFFFFFFFFF", "8000000000000000",
                        "FFFFFFFF:FFFFFFFF", "00000000:", ":00000000", "0100007F:", "0100007F:FFFFF",
                        "0100007F:-1", "-100007F:0050", "\u0661\u0662\u0663", "\uff11\uff12", "\u0000", "\t", "\r"),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.longs().map(v -> Long.toHexString(v).toUpperCase()),
                Arbitraries.bigIntegers().between(java.math.BigInteger.TWO.pow(63), java.math.BigInteger.TWO.pow(80))
                        .map(java.math.BigInteger::toString),
                Arbitraries.strings().withChars(" \t\r:-+0123456789abcdefABCDEFxX.%").ofMaxLength(24),
                Arbitraries.strings().all().ofMaxLength(12));
    }

    public static Arbitrary<Mutation> mutations() {
        return Combinators.combine(
                        Arbitraries.of(Kind.class),
                        Arbitraries.integers().between(0, 10_000),
                        Arbitraries.integers().between(0, 10_000),
                        weirdValues())
                .as(Mutation::new);
    }

    /** The file with up to {@code max} mutations applied. */
    public static Arbitrary<String> mutated(String fixture, int max) {
        return mutations().list().ofMaxSize(max).map(ms -> apply(fixture, ms));
    }

    /** Random text over the characters kernel files are made of, and some they are not. */
    public static Arbitrary<String> noise() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars(" \t\r\n\n:-0123456789ABCDEFabcdef").ofMaxLength(600),
                Arbitraries.strings().withChars(" \n:-0123456789TcpExtSockets").ofMaxLength(300),
                Arbitraries.strings().all().ofMaxLength(200));
    }

    public static String apply(String text, List<Mutation> mutations) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        for (Mutation m : mutations) {
            if (m.kind == Kind.CUT_TEXT) {
                String joined = String.join("\n", lines);
                lines = new ArrayList<>(Arrays.asList(joined.substring(0, m.at % (joined.length() + 1)).split("\n", -1)));
                continue;
            }
            if (lines.isEmpty()) {
                lines.add("");
            }
            int li = m.line % lines.size();
            String line = lines.get(li);
            List<String> fields = new ArrayList<>(Arrays.asList(line.strip().split("\\s+")));
            int fi = m.at % Math.max(1, fields.size());
            switch (m.kind) {
                case REPLACE_FIELD -> fields.set(fi, m.value);
                case INSERT_FIELD -> fields.add(fi, m.value);
                case DROP_FIELD -> fields.remove(fi);
                case DUPLICATE_FIELD -> fields.add(fi, fields.get(fi));
                case APPEND_TO_FIELD -> fields.set(fi, fields.get(fi) + m.value);
                case CUT_LINE -> fields = List.of(line.substring(0, m.at % (line.length() + 1)));
                case DROP_LINE -> fields = null;
                case DUPLICATE_LINE -> lines.add(li, line);
                case INSERT_LINE -> lines.add(li, m.value);
                default -> throw new IllegalStateException();
            }
            if (m.kind == Kind.DUPLICATE_LINE || m.kind == Kind.INSERT_LINE) {
                continue;
            }
            if (fields == null) {
                lines.remove(li);
            } else {
                lines.set(li, String.join(" ", fields));
            }
        }
        return String.join("\n", lines);
    }

    /** Lines with at least one field, as the parsers' FieldCursor counts them (blank: space, tab, CR). */
    public static int fieldLines(String text) {
        int n = 0;
        for (String line : text.split("\n", -1)) {
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c != ' ' && c != '\t' && c != '\r') {
                    n++;
                    break;
                }
            }
        }
        return n;
    }
}

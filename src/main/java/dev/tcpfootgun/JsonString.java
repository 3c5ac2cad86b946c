package dev.tcpfootgun;

import java.util.Locale;

/** A JSON string literal, quoted and escaped; shared by doctor's JSON, the log lines and logfmt's quoted values. */
public final class JsonString {

    private JsonString() {}

    public static String of(String s) {
        return append(new StringBuilder(s.length() + 2), s).toString();
    }

    /** Appends {@code s} quoted: \" \\ \n \r \t, \\u00XX for the other control characters. */
    public static StringBuilder append(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}

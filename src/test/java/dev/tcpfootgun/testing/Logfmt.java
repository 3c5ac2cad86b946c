package dev.tcpfootgun.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict logfmt reader (the grammar of go-logfmt, which promslog's lines follow): space-separated
 * key=value pairs; a key is printable ASCII without '=', '"' or space; a value is bare (no space,
 * '=' or '"') or a double-quoted string with JSON's backslash escapes. Anything else is an error,
 * as is a key given twice, so a line that only looks like logfmt does not pass.
 */
public final class Logfmt {

    private Logfmt() {}

    public static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            if (line.charAt(i) == ' ') {
                i++;
                continue;
            }
            int keyStart = i;
            while (i < n && line.charAt(i) > ' ' && line.charAt(i) < 0x7f && line.charAt(i) != '=' && line.charAt(i) != '"') {
                i++;
            }
            if (i == keyStart || i >= n || line.charAt(i) != '=') {
                throw new IllegalArgumentException("expected key= at " + keyStart + ": " + line);
            }
            String key = line.substring(keyStart, i++);
            StringBuilder value = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c < ' ') {
                        throw new IllegalArgumentException("raw control character in quoted value of " + key + ": " + line);
                    }
                    if (c != '\\') {
                        value.append(c);
                        continue;
                    }
                    if (i >= n) {
                        throw new IllegalArgumentException("dangling backslash: " + line);
                    }
                    char e = line.charAt(i++);
                    switch (e) {
                        case '"', '\\', '/' -> value.append(e);
                        case 'n' -> value.append('\n');
                        case 'r' -> value.append('\r');
                        case 't' -> value.append('\t');
                        case 'u' -> {
                            if (i + 4 > n) {
                                throw new IllegalArgumentException("short \\u escape: " + line);
                            }
                            value.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> throw new IllegalArgumentException("unknown escape \\" + e + ": " + line);
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated quoted value of " + key + ": " + line);
                }
                if (i < n && line.charAt(i) != ' ') {
                    throw new IllegalArgumentException("no space after the quoted value of " + key + ": " + line);
                }
            } else {
                while (i < n && line.charAt(i) != ' ') {
                    char c = line.charAt(i++);
                    if (c == '=' || c == '"' || c < ' ') {
                        throw new IllegalArgumentException("unquoted value of " + key + " holds '" + c + "': " + line);
                    }
                    value.append(c);
                }
            }
            if (out.put(key, value.toString()) != null) {
                throw new IllegalArgumentException("key " + key + " twice: " + line);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no key=value pair: \"" + line + "\"");
        }
        return out;
    }
}

package dev.tcpfootgun.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of YAML that a Prometheus web config file uses: nested block mappings of scalars,
 * indented with spaces; plain, 'single' and "double" quoted scalars; comments; an optional "---".
 * Sequences, flow collections other than an empty {}, anchors, tags and multi-line scalars are
 * refused with the line they are on, rather than misread. No runtime dependency for one small file.
 *
 * <p>Values are {@code String}, {@code Map<String, Object>} (insertion order), or null for "key:"
 * with nothing under it, "~" and "null".
 */
public final class YamlSubset {

    /** A syntax error, with its 1-based line number. */
    public static final class YamlException extends Exception {
        private static final long serialVersionUID = 1L;

        YamlException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private record Line(int number, int indent, String text) {}

    private final List<Line> lines = new ArrayList<>();
    private int next;

    private YamlSubset(String text) throws YamlException {
        String[] raw = text.split("\r?\n", -1);
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') {
                indent++;
            }
            if (indent < line.length() && line.charAt(indent) == '\t') {
                throw new YamlException(i + 1, "tab in indentation (YAML indents with spaces)");
            }
            String content = stripComment(line.substring(indent), i + 1).stripTrailing();
            if (content.isEmpty() || (indent == 0 && lines.isEmpty() && content.equals("---"))) {
                continue;
            }
            if (indent == 0 && (content.equals("---") || content.equals("..."))) {
                throw new YamlException(i + 1, "more than one document");
            }
            lines.add(new Line(i + 1, indent, content));
        }
    }

    /** The top-level mapping of {@code text}; an empty document is an empty mapping. */
    public static Map<String, Object> parse(String text) throws YamlException {
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        YamlSubset y = new YamlSubset(text);
        if (y.lines.isEmpty()) {
            return new LinkedHashMap<>();
        }
        Line first = y.lines.get(0);
        if (first.indent != 0) {
            throw new YamlException(first.number, "the document must start at column 1");
        }
        Map<String, Object> root = y.mapping(0);
        if (y.next < y.lines.size()) {
            Line l = y.lines.get(y.next);
            throw new YamlException(l.number, "unexpected indentation");
        }
        return root;
    }

    private Map<String, Object> mapping(int indent) throws YamlException {
        Map<String, Object> map = new LinkedHashMap<>();
        while (next < lines.size()) {
            Line l = lines.get(next);
            if (l.indent < indent) {
                break;
            }
            if (l.indent > indent) {
                throw new YamlException(l.number, "unexpected indentation");
            }
            next++;
            if (l.text.startsWith("- ") || l.text.equals("-")) {
                throw new YamlException(l.number, "lists are not supported here");
            }
            int colon = keyEnd(l);
            String key = scalar(l.text.substring(0, colon).strip(), l.number);
            if (key == null || key.isEmpty()) {
                throw new YamlException(l.number, "empty key");
            }
            if (map.containsKey(key)) {
                throw new YamlException(l.number, "duplicate key \"" + key + "\"");
            }
            String rest = l.text.substring(colon + 1).strip();
            if (!rest.isEmpty()) {
                map.put(key, rest.equals("{}") ? new LinkedHashMap<String, Object>() : scalar(rest, l.number));
            } else if (next < lines.size() && lines.get(next).indent > indent) {
                map.put(key, mapping(lines.get(next).indent));
            } else {
                map.put(key, null);
            }
        }
        return map;
    }

    /** Position of the ": " (or final ":") that ends the key, outside quotes. */
    private static int keyEnd(Line l) throws YamlException {
        String t = l.text;
        int i = 0;
        if (t.startsWith("\"") || t.startsWith("'")) {
            i = closingQuote(t, 0, l.number) + 1;
        }
        for (; i < t.length(); i++) {
            if (t.charAt(i) == ':' && (i + 1 == t.length() || t.charAt(i + 1) == ' ')) {
                return i;
            }
        }
        throw new YamlException(l.number, "expected \"key: value\"");
    }

    /** A scalar's value: unquoted, unescaped; null for ~ and null. */
    private static String scalar(String s, int line) throws YamlException {
        if (s.isEmpty()) {
            return "";
        }
        char c = s.charAt(0);
        if (c == '"' || c == '\'') {
            int end = closingQuote(s, 0, line);
            if (end != s.length() - 1) {
                throw new YamlException(line, "text after a closing quote");
            }
            String body = s.substring(1, end);
            return c == '\'' ? body.replace("''", "'") : unescape(body, line);
        }
        if ("[{&*!|>%@`".indexOf(c) >= 0) {
            throw new YamlException(line, "\"" + c + "\" starts a YAML feature this file does not support; quote the value");
        }
        if (s.equals("~") || s.equals("null") || s.equals("Null") || s.equals("NULL")) {
            return null;
        }
        return s;
    }

    private static int closingQuote(String s, int open, int line) throws YamlException {
        char q = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (q == '"' && c == '\\') {
                i++;
            } else if (c == q) {
                if (q == '\'' && i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i++; // '' is an escaped quote
                } else {
                    return i;
                }
            }
        }
        throw new YamlException(line, "unterminated quote");
    }

    private static String unescape(String body, int line) throws YamlException {
        StringBuilder b = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i == body.length()) {
                throw new YamlException(line, "lone backslash");
            }
            switch (body.charAt(i)) {
                case '\\' -> b.append('\\');
                case '"' -> b.append('"');
                case '/' -> b.append('/');
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case '0' -> b.append('\0');
                default -> throw new YamlException(line, "unsupported escape \\" + body.charAt(i));
            }
        }
        return b.toString();
    }

    /** The line without a trailing "# comment" (a # that starts the line or follows a blank, outside quotes). */
    private static String stripComment(String s, int line) throws YamlException {
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (quote == '"' && c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if ((c == '"' || c == '\'') && (i == 0 || s.charAt(i - 1) == ' ' || s.charAt(i - 1) == ':')) {
                quote = c;
            } else if (c == '#' && (i == 0 || s.charAt(i - 1) == ' ')) {
                return s.substring(0, i);
            }
        }
        if (quote != 0) {
            throw new YamlException(line, "unterminated quote");
        }
        return s;
    }
}

package dev.tcpfootgun.footgun;

import dev.tcpfootgun.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.Formattable;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * A sentence of a finding with the addresses in it kept as addresses, so a renderer can hide them
 * (--destinations.labels) without reading English: "6.18.44" or "1024 65535" in the words stay
 * words, and an address is never missed because it was written in an unusual form.
 *
 * @param parts words and addresses in order; adjacent words merged, no empty ones
 */
public record Prose(List<Part> parts) {

    /** What a sentence is made of. */
    public sealed interface Part permits Words, Address, At {}

    /** Text that is never redacted. */
    public record Words(String text) implements Part {}

    /** A host address, in the canonical text {@link Endpoint} holds (dotted quad, or RFC 5952). */
    public record Address(String ip) implements Part {}

    /** An address and port: the address is redacted, the port (a service, not a host) is kept. */
    public record At(Endpoint endpoint) implements Part {}

    /** Marks an address argument inside String.format's output; private-use characters no kernel text holds. */
    private static final char MARK = '\uE000';
    private static final char END = '\uE001';

    public Prose {
        parts = List.copyOf(parts);
    }

    /** An address as a part of {@link #of} or {@link #format}. */
    public static Address ip(String ip) {
        return new Address(ip);
    }

    /** Strings become words; an Endpoint, an {@link Address} or a Prose keep their addresses; anything else its toString(). */
    public static Prose of(Object... pieces) {
        Builder b = new Builder();
        for (Object p : pieces) {
            b.add(p);
        }
        return b.build();
    }

    /** Each sentence as words: sentences that name no address. */
    public static List<Prose> words(List<String> sentences) {
        Prose[] out = new Prose[sentences.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = of(sentences.get(i));
        }
        return List.of(out);
    }

    /**
     * String.format(Locale.ROOT, ...) with %s, %d and %% written directly (C1 leaves the Formatter's
     * parse and locale lookups slow: ~2 % of a small scrape); %.Nf and anything else go to String.format.
     */
    static String rootFormat(String template, Object... args) {
        StringBuilder out = new StringBuilder(template.length() + 16 * args.length);
        int next = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 == template.length()) {
                return String.format(Locale.ROOT, template, args);
            }
            char k = template.charAt(++i);
            if (k == '%') {
                out.append('%');
                continue;
            }
            Object a = next < args.length ? args[next] : null;
            if (next >= args.length) {
                return String.format(Locale.ROOT, template, args);
            } else if (k == 's' && !(a instanceof Formattable)) {
                out.append(a);
            } else if (k == 'd' && (a instanceof Integer || a instanceof Long || a instanceof Short || a instanceof Byte)) {
                out.append(((Number) a).longValue());
            } else if (k == '.' && a instanceof Double) {
                int f = i + 1;
                while (f < template.length() && template.charAt(f) >= '0' && template.charAt(f) <= '9') {
                    f++;
                }
                if (f == i + 1 || f == template.length() || template.charAt(f) != 'f') {
                    return String.format(Locale.ROOT, template, args);
                }
                out.append(String.format(Locale.ROOT, template.substring(i - 1, f + 1), a));
                i = f;
            } else {
                return String.format(Locale.ROOT, template, args);
            }
            next++;
        }
        return out.toString();
    }

    /**
     * String.format (Locale.ROOT) where an Endpoint, {@link Address} or Prose argument, given as a
     * plain {@code %s}, stays an address.
     */
    public static Prose format(String template, Object... args) {
        List<Object> held = new ArrayList<>();
        Object[] shown = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Endpoint || a instanceof Address || a instanceof Prose) {
                shown[i] = "" + MARK + held.size() + END;
                held.add(a);
            } else {
                shown[i] = a instanceof String s ? unmarked(s) : a;
            }
        }
        String text = rootFormat(unmarked(template), shown);
        Builder b = new Builder();
        int from = 0;
        for (int at = text.indexOf(MARK); at >= 0; at = text.indexOf(MARK, from)) {
            int end = text.indexOf(END, at);
            b.add(text.substring(from, at));
            b.add(held.get(Integer.parseInt(text.substring(at + 1, end))));
            from = end + 1;
        }
        b.add(text.substring(from));
        return b.build();
    }

    /** The pieces with {@code separator} between them. */
    public static Prose join(String separator, List<Prose> pieces) {
        Builder b = new Builder();
        for (int i = 0; i < pieces.size(); i++) {
            if (i > 0) {
                b.add(separator);
            }
            b.add(pieces.get(i));
        }
        return b.build();
    }

    /**
     * The sentence with each address shown as {@code address} says; an address:port keeps the
     * brackets an IPv6 address had, whatever replaced it.
     */
    public String render(UnaryOperator<String> address) {
        StringBuilder s = new StringBuilder();
        for (Part p : parts) {
            switch (p) {
                case Words w -> s.append(w.text());
                case Address a -> s.append(address.apply(a.ip()));
                case At at -> {
                    String ip = at.endpoint().ip();
                    boolean v6 = ip.indexOf(':') >= 0;
                    s.append(v6 ? "[" : "").append(address.apply(ip)).append(v6 ? "]:" : ":").append(at.endpoint().port());
                }
            }
        }
        return s.toString();
    }

    /** As written, addresses shown: what --destinations.labels=plain shows. */
    @Override
    public String toString() {
        return render(UnaryOperator.identity());
    }

    private static String unmarked(String s) {
        return s.indexOf(MARK) < 0 && s.indexOf(END) < 0 ? s : s.replace(MARK, '\uFFFD').replace(END, '\uFFFD');
    }

    private static final class Builder {
        private final List<Part> parts = new ArrayList<>();
        private final StringBuilder words = new StringBuilder();

        void add(Object piece) {
            switch (piece) {
                case Prose p -> p.parts().forEach(this::add);
                case Words w -> words.append(w.text());
                case Address a -> part(a);
                case At a -> part(a);
                case Endpoint e -> part(new At(e));
                case null -> words.append("null");
                default -> words.append(piece);
            }
        }

        private void part(Part p) {
            flush();
            parts.add(p);
        }

        private void flush() {
            if (!words.isEmpty()) {
                parts.add(new Words(words.toString()));
                words.setLength(0);
            }
        }

        Prose build() {
            flush();
            return new Prose(parts);
        }
    }
}

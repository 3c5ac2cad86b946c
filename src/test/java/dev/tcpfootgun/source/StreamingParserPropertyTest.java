package dev.tcpfootgun.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.Family;
import dev.tcpfootgun.testing.Bounded;
import dev.tcpfootgun.testing.KernelText;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The streaming parsers give what the whole-text parsers gave before them ({@link WholeTextParsers},
 * the code of e55ebd1): the same sockets, counters, protocols and statistics, and the same skips,
 * on every captured kernel file and on damaged and random text, whether the text is in memory or
 * read from a stream that hands over a few bytes at a time (a line split across any number of reads).
 */
class StreamingParserPropertyTest {

    /**
     * What a parser made of one text: its result and how many lines or values it skipped. Not the
     * first reason: netstat's whole-text parser checked every line's prefix before pairing any, so
     * with two problems it could name the later one first.
     */
    record Outcome(Object result, long skipped) {}

    private static Outcome outcome(BiFunction<String, ParseLog, Object> parser, String text) {
        ParseLog log = new ParseLog();
        Object result = parser.apply(text, log);
        return new Outcome(result, log.skipped());
    }

    private interface StreamParser {
        Object parse(KernelLines lines, ParseLog log) throws IOException;
    }

    private static Outcome streamed(StreamParser parser, byte[] bytes, int chunk) {
        ParseLog log = new ParseLog();
        try (KernelLines lines = KernelLines.of(new Chunks(bytes, chunk), KernelLines.MAX_LINE)) {
            return new Outcome(parser.parse(lines, log), log.skipped());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stream that hands over at most {@code chunk} bytes per read, as a pipe or a seq_file page might. */
    private static final class Chunks extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int at;

        Chunks(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (at >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }

    /** The parsers side by side: before (whole text), now from memory, now from a stream. */
    enum Parser {
        TCP4((t, l) -> WholeTextParsers.tcp(t, Family.INET, l), (t, l) -> ProcNetTcp.parse(t, Family.INET, l),
                (k, l) -> collect(k, Family.INET, l)),
        TCP6((t, l) -> WholeTextParsers.tcp(t, Family.INET6, l), (t, l) -> ProcNetTcp.parse(t, Family.INET6, l),
                (k, l) -> collect(k, Family.INET6, l)),
        NETSTAT(WholeTextParsers::parse, NetstatFile::parse, (k, l) -> NetstatFile.parse(k, "netstat", l)),
        SOCKSTAT(WholeTextParsers::sockstat, SockstatSource::parse, (k, l) -> {
            var protocols = new java.util.LinkedHashMap<String, Map<String, Long>>();
            SockstatSource.parseInto(k, "sockstat", l, protocols);
            return new dev.tcpfootgun.snapshot.Sockstat(protocols);
        }),
        CONNTRACK_STATS(WholeTextParsers::parseStats, ConntrackSource::parseStats, ConntrackSource::parseStats);

        final BiFunction<String, ParseLog, Object> before;
        final BiFunction<String, ParseLog, Object> now;
        final StreamParser streamed;

        Parser(BiFunction<String, ParseLog, ?> before, BiFunction<String, ParseLog, ?> now, StreamParser streamed) {
            this.before = before::apply;
            this.now = now::apply;
            this.streamed = streamed;
        }

        private static Object collect(KernelLines lines, Family family, ParseLog log) throws IOException {
            List<Object> sockets = new ArrayList<>();
            ProcNetTcp.parseInto(lines, family, log, sockets::add);
            return sockets;
        }
    }

    private static void assertSameAsBefore(Parser p, String text, int chunk) throws Exception {
        Outcome before = Bounded.call(() -> outcome(p.before, text));
        assertThat(Bounded.call(() -> outcome(p.now, text))).as("%s from memory", p).isEqualTo(before);
        // a file is bytes read as US-ASCII: compare with the text the old reader made of those bytes
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String asRead = new String(bytes, StandardCharsets.US_ASCII);
        Outcome beforeAsRead = Bounded.call(() -> outcome(p.before, asRead));
        assertThat(Bounded.call(() -> streamed(p.streamed, bytes, chunk))).as("%s streamed in %d-byte reads", p, chunk)
                .isEqualTo(beforeAsRead);
    }

    @Test
    void everyCapturedKernelFileParsesAsBefore() throws Exception {
        int files = 0;
        for (String kernel : List.of("linux-6.18", "old-kernel", "edge-cases", "header-only")) {
            Path root = Fixtures.procRoot(kernel);
            try (Stream<Path> all = Files.walk(root)) {
                for (Path file : all.filter(Files::isRegularFile).toList()) {
                    String relative = root.relativize(file).toString();
                    Parser p = switch (relative) {
                        case "net/tcp" -> Parser.TCP4;
                        case "net/tcp6" -> Parser.TCP6;
                        case "net/netstat", "net/snmp" -> Parser.NETSTAT;
                        case "net/sockstat", "net/sockstat6" -> Parser.SOCKSTAT;
                        case "net/stat/nf_conntrack" -> Parser.CONNTRACK_STATS;
                        default -> null;
                    };
                    if (p == null) {
                        continue;
                    }
                    String text = Files.readString(file, StandardCharsets.US_ASCII);
                    for (int chunk : new int[] {1, 7, 4096, 1 << 20}) {
                        assertSameAsBefore(p, text, chunk);
                    }
                    files++;
                }
            }
        }
        assertThat(files).isGreaterThanOrEqualTo(10);
    }

    @Provide
    Arbitrary<String> kernelText() {
        return Arbitraries.oneOf(
                KernelText.mutated(Fixtures.text("linux-6.18", "net/tcp"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/tcp6"), 6),
                KernelText.mutated(Fixtures.text("edge-cases", "net/tcp"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/netstat"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/snmp"), 6),
                KernelText.mutated(Fixtures.text("edge-cases", "net/netstat"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/sockstat"), 6),
                KernelText.mutated(Fixtures.text("linux-6.18", "net/stat/nf_conntrack"), 6),
                KernelText.mutated(Fixtures.text("old-kernel", "net/stat/nf_conntrack"), 6),
                KernelText.noise());
    }

    /** Any text, damaged kernel files and noise, through every parser: the same outcome as before. */
    @Property(tries = 300)
    void damagedAndRandomTextParsesAsBefore(@ForAll("kernelText") String text, @ForAll Parser parser,
            @ForAll @IntRange(min = 1, max = 300) int chunk) throws Exception {
        assertSameAsBefore(parser, text, chunk);
    }
}

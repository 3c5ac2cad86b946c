package dev.tcpfootgun.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import java.net.InetAddress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class DestinationLabelsTest {
    private static final DestinationLabels PLAIN = DestinationLabels.of(DestinationLabelMode.PLAIN);
    private static final DestinationLabels HASH = DestinationLabels.of(DestinationLabelMode.HASH);
    private static final DestinationLabels DROP = DestinationLabels.of(DestinationLabelMode.DROP);

    @Test
    void labelValues() {
        assertThat(PLAIN.address("10.0.0.7")).isEqualTo("10.0.0.7");
        assertThat(HASH.address("10.0.0.7")).matches("h:[0-9a-f]{12}").isEqualTo(HASH.address("10.0.0.7"));
        assertThat(HASH.address("10.0.0.8")).isNotEqualTo(HASH.address("10.0.0.7"));
        assertThat(HASH.address("other")).isEqualTo("other");
        assertThat(DROP.address("10.0.0.7")).isEqualTo(DestinationLabels.HIDDEN);
        assertThat(PLAIN.perDestinationSeries()).isTrue();
        assertThat(HASH.perDestinationSeries()).isTrue();
        assertThat(DROP.perDestinationSeries()).isFalse();
    }

    @Test
    void evidenceText() {
        String evidence = "127.0.0.1:8080 uses 90 of 100 ports; [2001:db8::7]:443 and ::ffff:10.1.2.3 too, at 12:30:45, v1.2.3";
        assertThat(PLAIN.text(evidence)).isEqualTo(evidence);
        String hashed = HASH.text(evidence);
        assertThat(hashed).doesNotContain("127.0.0.1", "2001:db8", "10.1.2.3")
                .contains(HASH.address("127.0.0.1") + ":8080")
                .contains("[" + HASH.address("2001:db8::7") + "]:443")
                .contains("at 12:30:45, v1.2.3");
        assertThat(DROP.text("to 10.0.0.7:5432")).isEqualTo("to " + DestinationLabels.HIDDEN + ":5432");
        // an address written in a non-canonical form hashes like its canonical one
        assertThat(HASH.text("2001:DB8:0:0:0:0:0:7")).isEqualTo(HASH.address("2001:db8::7"));
    }

    @Provide
    Arbitrary<String> addresses() {
        return Arbitraries.oneOf(
                        Arbitraries.bytes().array(byte[].class).ofSize(4),
                        Arbitraries.bytes().array(byte[].class).ofSize(16))
                .map(b -> {
                    try {
                        return InetAddress.getByAddress(b).getHostAddress();
                    } catch (java.net.UnknownHostException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    /** No address survives hash or drop in any text, and the words around it are untouched. */
    @Property
    void noAddressSurvivesInText(@ForAll("addresses") String ip, @ForAll("words") String before, @ForAll("words") String after) {
        String text = before + " " + ip + " " + after;
        for (DestinationLabels mode : new DestinationLabels[] {HASH, DROP}) {
            String out = mode.text(text);
            assertThat(out).doesNotContain(" " + ip + " ").startsWith(before + " ").endsWith(" " + after);
        }
        assertThat(PLAIN.text(text)).isEqualTo(text);
    }

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withChars("abcxyz -,;()").ofMaxLength(20);
    }
}

package dev.tcpfootgun.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.config.DestinationLabelMode;
import dev.tcpfootgun.footgun.Prose;
import dev.tcpfootgun.snapshot.Endpoint;
import dev.tcpfootgun.snapshot.IpText;
import java.net.InetAddress;
import java.nio.ByteBuffer;
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

    /** Words that look like addresses are words: only the parts a check made addresses are redacted. */
    @Test
    void lookAlikesInTheWordsAreLeftAlone() {
        Prose p = Prose.format("kernel %s; ip_local_port_range=\"%s\"; a ratio of %s; at 12:30:45 and ::; %s talks to %s via %s",
                "6.18.44", "1024 65535", "10.0.0", Prose.ip("10.0.0.1"), new Endpoint("2001:db8::7", 443),
                new Endpoint("10.0.0.7", 5432));
        String words = "kernel 6.18.44; ip_local_port_range=\"1024 65535\"; a ratio of 10.0.0; at 12:30:45 and ::; ";
        assertThat(PLAIN.text(p)).isEqualTo(words + "10.0.0.1 talks to [2001:db8::7]:443 via 10.0.0.7:5432");
        assertThat(HASH.text(p)).isEqualTo(words + HASH.address("10.0.0.1") + " talks to [" + HASH.address("2001:db8::7")
                + "]:443 via " + HASH.address("10.0.0.7") + ":5432");
        String hidden = DestinationLabels.HIDDEN;
        assertThat(DROP.text(p)).isEqualTo(words + hidden + " talks to [" + hidden + "]:443 via " + hidden + ":5432");
        // an address a check wrote as a word (it should not) is not guessed at
        assertThat(HASH.text(Prose.of("10.9.9.9 as words"))).isEqualTo("10.9.9.9 as words");
    }

    /**
     * The address a source read hashes as its series label does, in every form the kernel gives it:
     * v4-mapped IPv6 as the dotted quad (so ::ffff:10.1.2.3 and 10.1.2.3 are one destination), a
     * link-local one without a zone, a compressed one.
     */
    @Test
    void sourceAddressesHashAsTheirLabels() {
        String mapped = IpText.ipv6(0, 0xffff_0a01_0203L);
        String linkLocal = IpText.ipv6(0xfe80_0000_0000_0000L, 1);
        String compressed = IpText.ipv6(0x2001_0db8_0000_0000L, 7);
        assertThat(mapped).isEqualTo("10.1.2.3");
        assertThat(linkLocal).isEqualTo("fe80::1");
        assertThat(compressed).isEqualTo("2001:db8::7");
        Prose p = Prose.of(new Endpoint(mapped, 80), " ", new Endpoint(linkLocal, 22), " ", Prose.ip(compressed));
        assertThat(HASH.text(p)).isEqualTo(HASH.address("10.1.2.3") + ":80 [" + HASH.address("fe80::1") + "]:22 "
                + HASH.address("2001:db8::7"));
    }

    @Provide
    Arbitrary<String> addresses() {
        return Arbitraries.oneOf(
                        Arbitraries.bytes().array(byte[].class).ofSize(4),
                        Arbitraries.bytes().array(byte[].class).ofSize(16))
                .map(b -> b.length == 4 ? IpText.ipv4(ByteBuffer.wrap(b).getInt())
                        : IpText.ipv6(ByteBuffer.wrap(b).getLong(), ByteBuffer.wrap(b).getLong(8)));
    }

    /** No address survives hash or drop, an address:port keeps its port, and the words around them are untouched. */
    @Property
    void noAddressSurvivesAndNoWordChanges(@ForAll("addresses") String ip, @ForAll("words") String before,
            @ForAll("words") String after, @ForAll int port) {
        Endpoint at = new Endpoint(ip, Math.floorMod(port, 65536));
        Prose p = Prose.format("%s %s %s, %s", before, Prose.ip(ip), after, at);
        assertThat(PLAIN.text(p)).isEqualTo(before + " " + ip + " " + after + ", " + at);
        for (DestinationLabels mode : new DestinationLabels[] {HASH, DROP}) {
            String shown = mode.address(ip);
            String port6 = ip.indexOf(':') >= 0 ? "[" + shown + "]:" : shown + ":";
            assertThat(mode.text(p)).isEqualTo(before + " " + shown + " " + after + ", " + port6 + at.port());
        }
        assertThat(InetAddress.ofLiteral(ip)).isNotNull();
    }

    @Provide
    Arbitrary<String> words() {
        return Arbitraries.strings().withChars("abcxyz0123456789.: -,;()%").ofMaxLength(20);
    }
}

package dev.tcpfootgun.footgun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.Endpoint;
import java.util.IllegalFormatException;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Prose's own %s/%d writer against String.format(Locale.ROOT), which it stands in for. */
class ProseFormatTest {

    private static void same(String template, Object... args) {
        assertThat(Prose.rootFormat(template, args)).as(template).isEqualTo(String.format(Locale.ROOT, template, args));
    }

    @Test
    void writesWhatStringFormatWrites() {
        same("ip_local_port_range %d-%d minus %d reserved leaves %d usable ports per destination", 32768, 60999, 0, 28232);
        same("%d port%s held by bind(): %s; connect() skips them", 1, "", "x");
        same("%s holds %d of %d ports (%.1f %%), at %d s that is %.1f new connections/s", "a:1", 5L, 10, 50.04, 60, 0.25);
        same("%.0f and %.2f and %.4f", 2.5, -0.005, 1e-9);
        same("negative %d %d %d, null %s %d, boolean %s", -7, Long.MIN_VALUE, (short) -3, null, null, true);
        same("100%% of %s%%", "it");
        same("no specifier at all");
        same("%s", new Endpoint("10.0.0.1", 80));
    }

    @Test
    void leavesEverythingElseToStringFormat() {
        same("%-8s|%5d|%04x|%n", "ab", 42, 255);
        same("%d with a double goes to the Formatter: %.1f", 3, 2.0);
        same("%.1f of an integer? %s", 1.0, "no");
        same("extra arguments are ignored: %d", 1, 2, 3);
        assertThatThrownBy(() -> Prose.rootFormat("%d", new Object[] {1.5})).isInstanceOf(IllegalFormatException.class);
        assertThatThrownBy(() -> Prose.rootFormat("%d and %d", new Object[] {1})).isInstanceOf(IllegalFormatException.class);
        assertThatThrownBy(() -> Prose.rootFormat("trailing %", new Object[0])).isInstanceOf(IllegalFormatException.class);
    }

    @Test
    void addressesStayAddresses() {
        Prose p = Prose.format("%s (from %s) holds %d ports", new Endpoint("10.0.0.1", 443), Prose.ip("10.0.0.2"), 7);
        assertThat(p.parts()).containsExactly(new Prose.At(new Endpoint("10.0.0.1", 443)), new Prose.Words(" (from "),
                new Prose.Address("10.0.0.2"), new Prose.Words(") holds 7 ports"));
    }
}

package dev.tcpfootgun.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.testing.Bounded;
import dev.tcpfootgun.testing.KernelText;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class YamlSubsetTest {
    static final String EXAMPLE = """
            ---
            # exporter-toolkit web config
            tls_server_config:
              cert_file: "server.crt"   # quoted
              key_file: 'it''s.key'
              client_auth_type: RequireAndVerifyClientCert
            basic_auth_users:
                prometheus: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
                "user: with colon": "a#b"
            empty:
            nothing: ~
            braces: {}
            """;

    @Test
    void readsTheWebConfigShape() throws Exception {
        Map<String, Object> m = YamlSubset.parse(EXAMPLE);
        assertThat(m).containsOnlyKeys("tls_server_config", "basic_auth_users", "empty", "nothing", "braces");
        assertThat(m.get("tls_server_config")).isEqualTo(Map.of("cert_file", "server.crt", "key_file", "it's.key",
                "client_auth_type", "RequireAndVerifyClientCert"));
        assertThat(m.get("basic_auth_users")).isEqualTo(Map.of(
                "prometheus", "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi", "user: with colon", "a#b"));
        assertThat(m.get("empty")).isNull();
        assertThat(m.get("nothing")).isNull();
        assertThat(m.get("braces")).isEqualTo(Map.of());
        assertThat(YamlSubset.parse("")).isEmpty();
        assertThat(YamlSubset.parse("# only a comment\n\n")).isEmpty();
        assertThat(YamlSubset.parse("a: \"x\\ty\\\"z\"\r\nb: c\r\n")).isEqualTo(Map.of("a", "x\ty\"z", "b", "c"));
    }

    @Test
    void refusesWhatItDoesNotUnderstandWithTheLine() {
        assertThatThrownBy(() -> YamlSubset.parse("a:\n  - x\n")).hasMessage("line 2: lists are not supported here");
        assertThatThrownBy(() -> YamlSubset.parse("a: [x, y]\n")).hasMessageContaining("line 1").hasMessageContaining("quote the value");
        assertThatThrownBy(() -> YamlSubset.parse("a: 1\na: 2\n")).hasMessage("line 2: duplicate key \"a\"");
        assertThatThrownBy(() -> YamlSubset.parse("a:\n\tb: 1\n")).hasMessageContaining("line 2: tab");
        assertThatThrownBy(() -> YamlSubset.parse("a: 1\n  b: 2\n")).hasMessage("line 2: unexpected indentation");
        assertThatThrownBy(() -> YamlSubset.parse("a: \"open\n")).hasMessageContaining("unterminated quote");
        assertThatThrownBy(() -> YamlSubset.parse("just text\n")).hasMessage("line 1: expected \"key: value\"");
        assertThatThrownBy(() -> YamlSubset.parse("a: 1\n---\nb: 2\n")).hasMessageContaining("more than one document");
        assertThatThrownBy(() -> YamlSubset.parse("a: &anchor x\n")).hasMessageContaining("quote the value");
        assertThatThrownBy(() -> YamlSubset.parse("  a: 1\n")).hasMessageContaining("column 1");
    }

    @Provide
    Arbitrary<String> yamlish() {
        return Arbitraries.oneOf(
                KernelText.mutated(EXAMPLE, 6),
                Arbitraries.strings().withChars("ab: \n\t-#'\"{}[]~\\").ofMaxLength(200),
                KernelText.noise());
    }

    /** Any text: a mapping or a YamlException, never another exception, never a hang. */
    @Property
    void anyTextParsesOrFailsWithALineNumber(@ForAll("yamlish") String text) throws Exception {
        try {
            Bounded.call(() -> YamlSubset.parse(text));
        } catch (YamlSubset.YamlException e) {
            assertThat(e.getMessage()).startsWith("line ").doesNotContain("\n");
        }
    }
}

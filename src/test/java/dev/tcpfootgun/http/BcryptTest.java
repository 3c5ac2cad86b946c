package dev.tcpfootgun.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpfootgun.testing.Cmd;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.Test;

/**
 * bcrypt against published vectors (OpenBSD's and Openwall crypt_blowfish's, as jBCrypt and
 * bcrypt libraries in other languages test them) and, property-based, against libxcrypt's crypt(3).
 */
class BcryptTest {

    /** Password, hash: the vectors every bcrypt implementation is checked against. */
    static final List<String[]> VECTORS = List.of(
            new String[] {"U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
            new String[] {"U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"},
            new String[] {"U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"},
            new String[] {"", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"},
            new String[] {"", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s."},
            new String[] {"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"},
            new String[] {"abcdefghijklmnopqrstuvwxyz", "$2a$08$aTsUwsyowQuzRrDqFflhgekJ8d9/7Z3GV3UcgvzQW3J5zMyrTvlz."},
            new String[] {"~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO"});

    @Test
    void blowfishConstantsAreTheDigitsOfPi() {
        // P1, P18 and S1[0], S4[255] as printed in Schneier's Blowfish specification
        assertThat(Bcrypt.constantsForTest()).containsExactly(0x243F6A88, 0x8979FB1B, 0xD1310BA6, 0x3AC372E6);
    }

    @Test
    void publishedVectors() {
        for (String[] v : VECTORS) {
            assertThat(Bcrypt.verify(v[0], v[1])).as(v[1]).isTrue();
            assertThat(Bcrypt.verify("x" + v[0], v[1])).as("wrong password for " + v[1]).isFalse();
            assertThat(Bcrypt.isWellFormed(v[1])).isTrue();
            // $2b$ and $2y$ hash the same bytes the same way
            for (char minor : new char[] {'b', 'y'}) {
                String other = "$2" + minor + v[1].substring(3);
                assertThat(Bcrypt.verify(v[0], other)).as(other).isTrue();
            }
        }
    }

    @Test
    void malformedHashesAreFalseNotExceptions() {
        for (String bad : List.of("", "$2a$", "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "$2a$32$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCCCE5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", // salt's spare bits set
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!", "plain", "{SHA}abc")) {
            assertThat(Bcrypt.verify("U*U", bad)).as(bad).isFalse();
            assertThat(Bcrypt.isWellFormed(bad)).as(bad).isFalse();
        }
    }

    @Test
    void onlyTheFirst72BytesCount() {
        byte[] salt = new byte[16];
        String h = Bcrypt.hash("a".repeat(72), 4, salt, 'b');
        assertThat(Bcrypt.verify("a".repeat(100), h)).isTrue();
        assertThat(Bcrypt.verify("a".repeat(71), h)).isFalse();
    }

    // ---- against libxcrypt

    private static Process oracle;
    private static PrintWriter toOracle;
    private static BufferedReader fromOracle;

    private static synchronized String crypt(String setting, String password) throws Exception {
        if (oracle == null) {
            assumeTrue(Cmd.available("gcc"), "needs gcc and libxcrypt to build the crypt(3) oracle");
            Path exe = Path.of("target", "bcrypt-oracle");
            Cmd.run("gcc", "-O2", "-o", exe.toString(), Path.of("src", "test", "c", "bcrypt-oracle.c").toString(), "-lcrypt");
            oracle = new ProcessBuilder(exe.toString()).start();
            toOracle = new PrintWriter(oracle.getOutputStream(), true, StandardCharsets.US_ASCII);
            fromOracle = new BufferedReader(new InputStreamReader(oracle.getInputStream(), StandardCharsets.US_ASCII));
        }
        toOracle.println(setting + "\t" + HexFormat.of().formatHex(password.getBytes(StandardCharsets.UTF_8)));
        return fromOracle.readLine();
    }

    @AfterContainer
    static void stopOracle() {
        if (oracle != null) {
            oracle.destroy();
            oracle = null;
        }
    }

    @Provide
    Arbitrary<String> passwords() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(90).filter(s -> s.indexOf(0) < 0),
                Arbitraries.strings().all().ofMaxLength(40).filter(s -> s.indexOf(0) < 0),
                Arbitraries.strings().withChars("ab").ofMinLength(60).ofMaxLength(300));
    }

    @Provide
    Arbitrary<byte[]> salts() {
        return Arbitraries.bytes().array(byte[].class).ofSize(16);
    }

    /** crypt(3) of libxcrypt, an independent implementation, agrees on every prefix (cost 4 keeps tries fast). */
    @Property(tries = 300)
    void agreesWithLibxcrypt(@ForAll("passwords") String password, @ForAll("salts") byte[] salt,
            @ForAll("minors") char minor) throws Exception {
        String mine = Bcrypt.hash(password, 4, salt, minor);
        String theirs = crypt(mine.substring(0, 29), password);
        assertThat(mine).isEqualTo(theirs);
        assertThat(Bcrypt.verify(password, theirs)).isTrue();
    }

    @Provide
    Arbitrary<Character> minors() {
        return Arbitraries.of('a', 'b', 'y');
    }
}

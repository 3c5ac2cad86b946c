package dev.tcpfootgun.web;

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
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The bcrypt library (Spring Security's BCrypt) and our glue against published vectors (OpenBSD's and Openwall crypt_blowfish's, as jBCrypt and
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
    void publishedVectors() {
        for (String[] v : VECTORS) {
            assertThat(BcryptHashes.verify(v[0], v[1])).as(v[1]).isTrue();
            assertThat(BcryptHashes.verify("x" + v[0], v[1])).as("wrong password for " + v[1]).isFalse();
            assertThat(BcryptHashes.problem(v[1])).isNull();
            // $2b$ and $2y$ hash the same bytes the same way
            for (char minor : new char[] {'b', 'y'}) {
                String other = "$2" + minor + v[1].substring(3);
                assertThat(BcryptHashes.verify(v[0], other)).as(other).isTrue();
            }
        }
    }

    @Test
    void malformedHashesAreFalseNotExceptions() {
        for (String bad : List.of("", "$2a$", "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "$2a$32$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",
                "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!", "plain", "{SHA}abc", "doe")) {
            assertThat(BcryptHashes.verify("U*U", bad)).as(bad).isFalse();
            assertThat(BcryptHashes.problem(bad)).as(bad).isNotNull();
        }
        // the toolkit's own refused user list: Go's message, word for word
        assertThat(BcryptHashes.problem("doe")).isEqualTo("crypto/bcrypt: hashedSecret too short to be a bcrypted password");
        // the salt's spare low bits set: well-shaped, but no password yields it
        assertThat(BcryptHashes.verify("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCCCE5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isFalse();
    }

    @Test
    void onlyTheFirst72BytesCount() {
        String h = BCrypt.hashpw("a".repeat(72), "$2b$04$" + encode(new byte[16], 16));
        assertThat(BcryptHashes.verify("a".repeat(100), h)).isTrue();
        assertThat(BcryptHashes.verify("a".repeat(72), h)).isTrue();
        assertThat(BcryptHashes.verify("a".repeat(71), h)).isFalse();
    }

    @Test
    void theCostIsReadFromTheHash() {
        assertThat(BcryptHashes.cost(VECTORS.get(4)[1])).isEqualTo(6);
        assertThat(BcryptHashes.cost(BcryptHashes.hash("x", 4))).isEqualTo(4);
    }

    static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** bcrypt's base64 of the first {@code length} bytes, for salts. */
    static String encode(byte[] data, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i += 3) {
            int c1 = data[i] & 0xff;
            int c2 = i + 1 < length ? data[i + 1] & 0xff : 0;
            int c3 = i + 2 < length ? data[i + 2] & 0xff : 0;
            b.append(ALPHABET.charAt(c1 >>> 2)).append(ALPHABET.charAt((c1 & 3) << 4 | c2 >>> 4));
            if (i + 1 < length) {
                b.append(ALPHABET.charAt((c2 & 0xf) << 2 | c3 >>> 6));
            }
            if (i + 2 < length) {
                b.append(ALPHABET.charAt(c3 & 0x3f));
            }
        }
        return b.toString();
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

    /** crypt(3) of libxcrypt, an independent implementation, agrees with the library on every prefix (cost 4 keeps tries fast). */
    @Property(tries = 300)
    void agreesWithLibxcrypt(@ForAll("passwords") String password, @ForAll("salts") byte[] salt,
            @ForAll("minors") char minor) throws Exception {
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        String setting = "$2" + minor + "$04$" + encode(salt, 16);
        String spring = BCrypt.hashpw(utf8.length > 72 ? java.util.Arrays.copyOf(utf8, 72) : utf8, setting);
        String theirs = crypt(setting, password);
        assertThat(spring).isEqualTo(theirs);
        assertThat(BcryptHashes.verify(password, theirs)).isTrue();
    }

    @Provide
    Arbitrary<Character> minors() {
        return Arbitraries.of('a', 'b', 'y');
    }
}

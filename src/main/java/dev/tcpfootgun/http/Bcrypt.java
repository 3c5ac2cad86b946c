package dev.tcpfootgun.http;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies bcrypt password hashes ({@code $2a$}, {@code $2b$}, {@code $2y$}), as the Prometheus
 * exporter-toolkit's basic_auth_users hold them. Written from the published algorithm (Provos and
 * Mazières, "A Future-Adaptable Password Scheme", 1999): EksBlowfishSetup, then "OrpheanBeholderScryDoubt"
 * encrypted 64 times. Blowfish's initial P-array and S-boxes are the hexadecimal digits of pi after
 * the 3, computed here once rather than typed in.
 *
 * <p>As in every implementation, only the first 72 bytes of the UTF-8 password count. The three
 * prefixes hash alike here; they differ only in how old implementations handled passwords of 255
 * bytes or more, or bytes above 0x7f ($2x$, which is refused).
 */
public final class Bcrypt {
    private static final Pattern FORMAT = Pattern.compile("^\\$2([aby])\\$(\\d\\d)\\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$");
    private static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final byte[] MAGIC = "OrpheanBeholderScryDoubt".getBytes(StandardCharsets.US_ASCII);
    private static final int[] PI_WORDS = piWords(18 + 4 * 256);

    private final int[] p = new int[18];
    private final int[] s = new int[4 * 256];

    private Bcrypt() {
        System.arraycopy(PI_WORDS, 0, p, 0, 18);
        System.arraycopy(PI_WORDS, 18, s, 0, 1024);
    }

    /** True for a string shaped like a bcrypt hash this class can check (cost 4 to 31). */
    public static boolean isWellFormed(String hash) {
        Matcher m = FORMAT.matcher(hash);
        if (!m.matches()) {
            return false;
        }
        int cost = Integer.parseInt(m.group(2));
        return cost >= 4 && cost <= 31 && decode(m.group(3), 16) != null && decode(m.group(4), 23) != null;
    }

    /** Whether {@code password} hashes to {@code hash}; false (not an exception) for a malformed hash. */
    public static boolean verify(String password, String hash) {
        Matcher m = FORMAT.matcher(hash);
        if (!m.matches()) {
            return false;
        }
        int cost = Integer.parseInt(m.group(2));
        byte[] salt = decode(m.group(3), 16);
        if (cost < 4 || cost > 31 || salt == null) {
            return false;
        }
        String computed = hash(password, cost, salt, m.group(1).charAt(0));
        // constant time over the whole string: no early exit that a timing attacker could walk
        return MessageDigest.isEqual(computed.getBytes(StandardCharsets.US_ASCII), hash.getBytes(StandardCharsets.US_ASCII));
    }

    /** The full "$2b$cc$salt+hash" string; {@code minor} is a, b or y. */
    public static String hash(String password, int cost, byte[] salt, char minor) {
        if (cost < 4 || cost > 31 || salt.length != 16) {
            throw new IllegalArgumentException("bcrypt needs cost 4-31 and 16 bytes of salt");
        }
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        // the password and its terminating NUL, at most 72 bytes of it used (the size of the P-array)
        byte[] key = Arrays.copyOf(utf8, Math.min(utf8.length, 72) + 1);
        Bcrypt state = new Bcrypt();
        state.expand(salt, key);
        for (long round = 0, rounds = 1L << cost; round < rounds; round++) {
            state.expand(null, key);
            state.expand(null, salt);
        }
        int[] text = new int[6];
        int[] pos = {0};
        for (int i = 0; i < 6; i++) {
            text[i] = word(MAGIC, pos);
        }
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 6; j += 2) {
                state.encrypt(text, j);
            }
        }
        byte[] out = new byte[24];
        for (int i = 0; i < 6; i++) {
            out[4 * i] = (byte) (text[i] >>> 24);
            out[4 * i + 1] = (byte) (text[i] >>> 16);
            out[4 * i + 2] = (byte) (text[i] >>> 8);
            out[4 * i + 3] = (byte) text[i];
        }
        return "$2" + minor + "$" + (cost < 10 ? "0" : "") + cost + "$" + encode(salt, 16) + encode(out, 23);
    }

    /**
     * Blowfish's key schedule with bcrypt's salt: XOR the key into P, then re-encrypt P and S in
     * place, each block first XORed with the next salt words ({@code salt} null: ExpandKey(state, 0, key)).
     */
    private void expand(byte[] salt, byte[] key) {
        int[] pos = {0};
        for (int i = 0; i < 18; i++) {
            p[i] ^= word(key, pos);
        }
        int[] block = new int[2];
        int[] saltPos = {0};
        for (int i = 0; i < 18; i += 2) {
            next(block, salt, saltPos);
            p[i] = block[0];
            p[i + 1] = block[1];
        }
        for (int i = 0; i < 1024; i += 2) {
            next(block, salt, saltPos);
            s[i] = block[0];
            s[i + 1] = block[1];
        }
    }

    private void next(int[] block, byte[] salt, int[] saltPos) {
        if (salt != null) {
            block[0] ^= word(salt, saltPos);
            block[1] ^= word(salt, saltPos);
        }
        encrypt(block, 0);
    }

    /** Blowfish's F: the four S-boxes indexed by the bytes of x. */
    private int f(int x) {
        return ((s[x >>> 24] + s[256 | (x >>> 16) & 0xff]) ^ s[512 | (x >>> 8) & 0xff]) + s[768 | x & 0xff];
    }

    /** Encrypts the 64-bit block at {@code lr[off]}, {@code lr[off+1]} in place: 16 Feistel rounds. */
    private void encrypt(int[] lr, int off) {
        int l = lr[off] ^ p[0];
        int r = lr[off + 1];
        for (int i = 1; i <= 16; i += 2) {
            r ^= f(l) ^ p[i];
            l ^= f(r) ^ p[i + 1];
        }
        lr[off] = r ^ p[17];
        lr[off + 1] = l;
    }

    /** The next 4 bytes of {@code data} as a big-endian word, wrapping around at its end. */
    private static int word(byte[] data, int[] pos) {
        int w = 0;
        for (int i = 0; i < 4; i++) {
            w = (w << 8) | (data[pos[0]] & 0xff);
            pos[0] = (pos[0] + 1) % data.length;
        }
        return w;
    }

    /** bcrypt's base64: its own alphabet, no padding, the first {@code length} bytes. */
    static String encode(byte[] data, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i += 3) {
            int c1 = data[i] & 0xff;
            int c2 = i + 1 < length ? data[i + 1] & 0xff : 0;
            int c3 = i + 2 < length ? data[i + 2] & 0xff : 0;
            b.append(ALPHABET.charAt(c1 >>> 2));
            b.append(ALPHABET.charAt((c1 & 3) << 4 | c2 >>> 4));
            if (i + 1 < length) {
                b.append(ALPHABET.charAt((c2 & 0xf) << 2 | c3 >>> 6));
            }
            if (i + 2 < length) {
                b.append(ALPHABET.charAt(c3 & 0x3f));
            }
        }
        return b.toString();
    }

    /** Decodes {@code length} bytes; null when the text is not exactly their encoding. */
    static byte[] decode(String text, int length) {
        byte[] out = new byte[length];
        int bits = 0;
        int acc = 0;
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            int v = ALPHABET.indexOf(text.charAt(i));
            if (v < 0) {
                return null;
            }
            acc = acc << 6 | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                if (n == length) {
                    return null;
                }
                out[n++] = (byte) (acc >>> bits);
            }
            acc &= (1 << bits) - 1;
        }
        // the unused low bits of the last character must be zero, or the text is not a canonical encoding
        return n == length && acc == 0 ? out : null;
    }

    /** The first {@code count} 32-bit words of pi's fraction: pi = 16 atan(1/5) - 4 atan(1/239) (Machin). */
    private static int[] piWords(int count) {
        int bits = count * 32 + 64; // guard bits for the truncation of every term
        BigInteger pi = arctanInverse(5, bits).shiftLeft(4).subtract(arctanInverse(239, bits).shiftLeft(2));
        BigInteger fraction = pi.subtract(BigInteger.valueOf(3).shiftLeft(bits)).shiftRight(64);
        int[] words = new int[count];
        for (int i = 0; i < count; i++) {
            words[i] = fraction.shiftRight(32 * (count - 1 - i)).intValue();
        }
        return words;
    }

    /** atan(1/x) in fixed point with {@code bits} fractional bits. */
    private static BigInteger arctanInverse(int x, int bits) {
        BigInteger x2 = BigInteger.valueOf((long) x * x);
        BigInteger power = BigInteger.ONE.shiftLeft(bits).divide(BigInteger.valueOf(x)); // 1/x^(2k+1)
        BigInteger sum = power;
        for (int k = 1; power.signum() != 0; k++) {
            power = power.divide(x2);
            BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
            sum = (k & 1) != 0 ? sum.subtract(term) : sum.add(term);
        }
        return sum;
    }

    /** For tests: P[0], P[17] and the last S-box word, which Blowfish's specification lists. */
    static int[] constantsForTest() {
        return new int[] {PI_WORDS[0], PI_WORDS[17], PI_WORDS[18], PI_WORDS[18 + 1023]};
    }
}

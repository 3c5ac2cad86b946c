package dev.tcpfootgun.web;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * The web config's bcrypt hashes, checked by Spring Security's BCrypt (a maintained jBCrypt; see
 * the README's Dependencies) and judged here in the toolkit's words when malformed.
 */
final class BcryptHashes {
    private static final Pattern FORMAT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private BcryptHashes() {}

    /** Null for a hash this exporter can check, else what Go's bcrypt package would say of it. */
    static String problem(String hash) {
        if (hash.length() < 59) {
            return "crypto/bcrypt: hashedSecret too short to be a bcrypted password";
        }
        if (!FORMAT.matcher(hash).matches()) {
            return "not a bcrypt hash ($2a$, $2b$ or $2y$ with a cost and 53 characters of salt and hash)";
        }
        int cost = cost(hash);
        if (cost < 4 || cost > 31) {
            return "crypto/bcrypt: cost " + cost + " is outside allowed range (4,31)";
        }
        return null;
    }

    static int cost(String hash) {
        return Integer.parseInt(hash.substring(4, 6));
    }

    /**
     * Whether the password hashes to the hash. Only its first 72 UTF-8 bytes count, as in every
     * bcrypt (Go's included): they are cut here because Spring refuses longer passwords.
     */
    static boolean verify(String password, String hash) {
        if (problem(hash) != null) {
            return false; // e.g. $2x$, which Spring would take but the toolkit refuses
        }
        byte[] utf8 = password.getBytes(StandardCharsets.UTF_8);
        try {
            return BCrypt.checkpw(utf8.length > 72 ? Arrays.copyOf(utf8, 72) : utf8, hash);
        } catch (IllegalArgumentException e) {
            return false; // a malformed hash matches nothing
        }
    }

    /** A new hash at this cost (for the decoy and for tests). */
    static String hash(String password, int cost) {
        return BCrypt.hashpw(password, BCrypt.gensalt("$2y", cost));
    }
}

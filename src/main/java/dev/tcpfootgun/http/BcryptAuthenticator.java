package dev.tcpfootgun.http;

import com.sun.net.httpserver.BasicAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * HTTP basic auth against the web config's bcrypt hashes. A bcrypt check costs its cost factor by
 * design (about 50 ms at cost 10), and Prometheus sends the same credentials every scrape, so the
 * last few successes are remembered, as a SHA-256 of user, password and hash, never the password.
 * Failures are not remembered: each wrong guess pays the full bcrypt price.
 */
final class BcryptAuthenticator extends BasicAuthenticator {
    /** Checked against when the user is unknown, so an unknown name takes as long as a wrong password. */
    private static final String DECOY = "$2b$10$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK";
    private static final int REMEMBERED = 16;

    private final Map<String, String> users;
    private final Set<String> recent = Collections.newSetFromMap(new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });

    BcryptAuthenticator(Map<String, String> users) {
        super("tcp-footgun-exporter", StandardCharsets.UTF_8);
        this.users = Map.copyOf(users);
    }

    @Override
    public boolean checkCredentials(String user, String password) {
        String hash = users.get(user);
        String key = digest(user, password, hash);
        synchronized (recent) {
            if (hash != null && recent.contains(key)) {
                return true;
            }
        }
        boolean ok = Bcrypt.verify(password, hash == null ? DECOY : hash) && hash != null;
        if (ok) {
            synchronized (recent) {
                recent.add(key);
            }
        }
        return ok;
    }

    private static String digest(String user, String password, String hash) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {user, password, String.valueOf(hash)}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                d.update((byte) (b.length >>> 24));
                d.update((byte) (b.length >>> 16));
                d.update((byte) (b.length >>> 8));
                d.update((byte) b.length);
                d.update(b);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

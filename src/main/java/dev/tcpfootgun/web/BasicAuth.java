package dev.tcpfootgun.web;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * HTTP basic auth against the web config's bcrypt hashes, with the price of bcrypt kept bounded:
 *
 * <ul>
 *   <li>one bcrypt check at a time (the toolkit's mutex), so guesses cost at most one core, and
 *       at most {@value #WAITING} more wait for it; beyond that an attempt gets 429 at once;
 *   <li>each client address may fail {@value #FAILURE_BURST} times, then once every
 *       {@value #FAILURE_REFILL_MILLIS} ms; past that it gets 429 without any bcrypt work;
 *   <li>an unknown user is checked against a decoy hash of the highest cost among the users, and a
 *       wrong password for a cheaper user is held (sleeping, not computing) until a check at that cost
 *       would have ended: every failure takes as long as the dearest check, so timing tells no names;
 *   <li>the last {@value #REMEMBERED} successes are remembered as a SHA-256 of user, password and
 *       hash (never the password), since Prometheus sends the same credentials every scrape.
 * </ul>
 */
final class BasicAuth {
    static final int WAITING = 4;
    static final int FAILURE_BURST = 10;
    static final long FAILURE_REFILL_MILLIS = 2000;
    static final int REMEMBERED = 16;
    private static final int CLIENTS_TRACKED = 4096;

    enum Verdict { OK, UNAUTHORIZED, TOO_MANY }

    private final Map<String, String> users;
    private final String decoy;
    private final int decoyCost;
    private final ReentrantLock bcrypt = new ReentrantLock(true);
    private final AtomicInteger waiting = new AtomicInteger();
    /** Nanoseconds per bcrypt round (2^cost rounds a check), averaged over recent dear checks; 0 until one ran. */
    private volatile double nanosPerRound;
    private final Map<String, Boolean> recent = new LinkedHashMap<>(REMEMBERED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final Map<InetAddress, long[]> failures = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, long[]> eldest) {
            return size() > CLIENTS_TRACKED;
        }
    };

    BasicAuth(Map<String, String> users) {
        this.users = Map.copyOf(users);
        this.decoyCost = users.values().stream().mapToInt(BcryptHashes::cost).max().orElse(10);
        // any well-formed hash of that cost works: checking it costs the same and it matches nothing known
        this.decoy = "$2y$" + (decoyCost < 10 ? "0" : "") + decoyCost + "$" + "CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK";
    }

    int decoyCost() {
        return decoyCost;
    }

    /** Judges an Authorization header (null when absent) from {@code client}. */
    Verdict check(String authorization, InetAddress client) {
        String[] credentials = parse(authorization);
        if (credentials == null) {
            return Verdict.UNAUTHORIZED; // nothing to check: no bcrypt work, nothing to time
        }
        String user = credentials[0];
        String password = credentials[1];
        String hash = users.get(user);
        String key = digest(user, password, hash);
        synchronized (recent) {
            if (hash != null && recent.containsKey(key)) {
                return Verdict.OK;
            }
        }
        if (!mayFail(client)) {
            return Verdict.TOO_MANY;
        }
        if (waiting.incrementAndGet() > WAITING + 1) {
            waiting.decrementAndGet();
            return Verdict.TOO_MANY;
        }
        boolean ok;
        long took;
        try {
            bcrypt.lockInterruptibly();
            try {
                long start = System.nanoTime();
                ok = BcryptHashes.verify(password, hash == null ? decoy : hash) && hash != null;
                took = System.nanoTime() - start;
                int cost = hash == null ? decoyCost : BcryptHashes.cost(hash);
                if (cost >= decoyCost - 2) { // a check of a few ms is too noisy to scale up 32-fold
                    double perRound = (double) took / (1L << cost);
                    nanosPerRound = nanosPerRound == 0 ? perRound : 0.7 * nanosPerRound + 0.3 * perRound;
                }
            } finally {
                bcrypt.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.UNAUTHORIZED;
        } finally {
            waiting.decrementAndGet();
        }
        if (ok) {
            synchronized (recent) {
                recent.put(key, true);
            }
            return Verdict.OK;
        }
        failed(client);
        int cost = hash == null ? decoyCost : BcryptHashes.cost(hash);
        if (cost < decoyCost) {
            // bcrypt's work doubles with each cost step: wait out what a check at the decoy's cost takes
            double perRound = nanosPerRound == 0 ? (double) took / (1L << cost) : nanosPerRound;
            sleepNanos((long) (perRound * (1L << decoyCost)) - took);
        }
        return Verdict.UNAUTHORIZED;
    }

    /** user and password of "Basic base64(user:password)", null for anything else. */
    static String[] parse(String authorization) {
        if (authorization == null || authorization.length() < 6 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    /** A token bucket per client address: {@link #FAILURE_BURST} tokens, one back every refill period. */
    private boolean mayFail(InetAddress client) {
        synchronized (failures) {
            long[] bucket = failures.get(client);
            if (bucket == null) {
                return true;
            }
            long now = System.currentTimeMillis();
            long refilled = Math.min(FAILURE_BURST, bucket[0] + (now - bucket[1]) / FAILURE_REFILL_MILLIS);
            if (refilled > bucket[0]) {
                bucket[1] += (refilled - bucket[0]) * FAILURE_REFILL_MILLIS;
                bucket[0] = refilled;
            }
            if (bucket[0] == FAILURE_BURST) {
                bucket[1] = now;
            }
            return bucket[0] > 0;
        }
    }

    private void failed(InetAddress client) {
        synchronized (failures) {
            long[] bucket = failures.computeIfAbsent(client, c -> new long[] {FAILURE_BURST, System.currentTimeMillis()});
            bucket[0] = Math.max(0, bucket[0] - 1);
        }
    }

    private static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(Math.min(nanos, TimeUnit.SECONDS.toNanos(60)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String digest(String user, String password, String hash) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {user, password, String.valueOf(hash)}) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                d.update(new byte[] {(byte) (b.length >>> 24), (byte) (b.length >>> 16), (byte) (b.length >>> 8), (byte) b.length});
                d.update(b);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

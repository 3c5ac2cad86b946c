package dev.tcpfootgun.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web config in force, re-read when the file or a certificate, key or CA file it names changes
 * (size, modification time or inode; looked at no more than once a second, by the next connection),
 * as the toolkit re-reads it per connection. A changed file that no longer loads is logged once and
 * the last good config stays in force, so a half-written edit never locks Prometheus out.
 */
final class WebConfigFile {
    private static final Logger LOG = LoggerFactory.getLogger(WebConfigFile.class);
    private static final long LOOK_EVERY_NANOS = 1_000_000_000L;

    /** The config with its BasicAuth (whose failure counts and remembered successes belong to one config). */
    record Current(WebConfig config, BasicAuth auth, RateLimiter limiter) {
        static Current of(WebConfig c) {
            return new Current(c, c.users().isEmpty() ? null : new BasicAuth(c.users()),
                    c.rateLimit() == null ? null : new RateLimiter(c.rateLimit()));
        }
    }

    private final Path file;
    private volatile Current current;
    private List<Object> stamp;
    private long lookedAt;
    private String lastError;

    WebConfigFile(WebConfig first) {
        this.file = first.file();
        this.current = Current.of(first);
        this.stamp = file == null ? List.of() : stamp(first);
        this.lookedAt = System.nanoTime();
        first.notes().forEach(n -> LOG.info("web config {}: {}", file, n));
    }

    Current current() {
        if (file != null) {
            long now = System.nanoTime();
            synchronized (this) {
                if (now - lookedAt >= LOOK_EVERY_NANOS) {
                    lookedAt = now;
                    if (!stamp(current.config()).equals(stamp)) {
                        reload("changed");
                    }
                }
            }
        }
        return current;
    }

    /** Reads the file again now (SIGHUP); {@code why} goes into the log line. */
    synchronized void reload(String why) {
        if (file == null) {
            LOG.info("{}: no --web.config.file to re-read", why);
            return;
        }
        List<Object> before = stamp(current.config());
        try {
            WebConfig c = WebConfig.load(file);
            current = Current.of(c);
            stamp = stamp(c);
            lastError = null;
            LOG.info("web config {} re-read ({}): TLS {}, {} users", file, why, c.tls() == null ? "off" : "on", c.users().size());
            c.notes().forEach(n -> LOG.info("web config {}: {}", file, n));
        } catch (WebConfig.Invalid e) {
            stamp = before;
            if (!e.getMessage().equals(lastError)) {
                LOG.warn("web config re-read ({}) failed, the previous one stays in force: {}", why, e.getMessage());
                lastError = e.getMessage();
            }
        }
    }

    private List<Object> stamp(WebConfig c) {
        List<Path> files = new ArrayList<>();
        files.add(file);
        files.addAll(c.referencedFiles());
        List<Object> out = new ArrayList<>();
        for (Path p : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(List.of(p, a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey())));
            } catch (IOException e) {
                out.add(List.of(p, "absent"));
            }
        }
        return out;
    }
}

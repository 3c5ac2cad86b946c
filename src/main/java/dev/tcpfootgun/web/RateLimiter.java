package dev.tcpfootgun.web;

/**
 * The toolkit's rate_limit (Go's rate.Limiter): a bucket of {@code burst} requests, refilled by one
 * every {@code interval}; a request finding it empty gets 429. With burst 0 nothing passes, as in Go.
 */
final class RateLimiter {
    private final long intervalNanos;
    private final int burst;
    private double tokens;
    private long last;

    RateLimiter(WebConfig.RateLimit limit) {
        this.intervalNanos = limit.interval().toNanos();
        this.burst = limit.burst();
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    synchronized boolean allow() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (double) (now - last) / intervalNanos);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}

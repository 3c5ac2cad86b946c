package dev.tcpfootgun.source;

import java.io.IOException;
import java.util.List;

/**
 * The first of several sources of the same data that answers: rtnetlink links where netlink is
 * allowed, sysfs otherwise. Fails with every candidate's reason when none does.
 */
public record FirstOf<T>(String collector, List<Source<T>> candidates) implements Source<T> {

    @Override
    public T read(ParseLog log) throws IOException {
        StringBuilder reasons = new StringBuilder();
        for (Source<T> s : candidates) {
            ParseLog attempt = new ParseLog();
            try {
                T value = s.read(attempt);
                for (long i = 0; i < attempt.skipped(); i++) {
                    log.skip(attempt.firstProblem());
                }
                return value;
            } catch (IOException | RuntimeException e) {
                reasons.append(reasons.isEmpty() ? "" : "; ").append(s.getClass().getSimpleName()).append(": ").append(e.getMessage());
            }
        }
        throw new IOException(reasons.toString());
    }
}

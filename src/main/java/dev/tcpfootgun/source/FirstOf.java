package dev.tcpfootgun.source;

import java.io.IOException;
import java.util.List;

/**
 * The first of several sources of the same data that answers: sock_diag where netlink is allowed,
 * /proc/net/tcp otherwise; rtnetlink links, else sysfs. Fails with every candidate's reason when
 * none answers, and is absent when every candidate is.
 */
public record FirstOf<T>(List<Candidate<T>> candidates) implements Source<T> {

    /** @param name how the reasons name it ("netlink", "procfs") */
    public record Candidate<T>(String name, Source<T> source) {}

    @Override
    public T read(ParseLog log) throws IOException {
        if (candidates.size() == 1) {
            Candidate<T> only = candidates.getFirst();
            return only.source().read(log);
        }
        StringBuilder reasons = new StringBuilder();
        boolean allAbsent = true;
        for (Candidate<T> c : candidates) {
            ParseLog attempt = new ParseLog();
            try {
                T value = c.source().read(attempt);
                for (long i = 0; i < attempt.skipped(); i++) {
                    log.skip(attempt.firstProblem());
                }
                return value;
            } catch (IOException | RuntimeException e) {
                allAbsent &= e instanceof AbsentException;
                reasons.append(reasons.isEmpty() ? "" : "; ").append(c.name()).append(": ").append(e.getMessage());
            }
        }
        throw allAbsent ? new AbsentException(reasons.toString()) : new IOException(reasons.toString());
    }
}

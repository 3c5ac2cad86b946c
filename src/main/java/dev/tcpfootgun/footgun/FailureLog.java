package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line when a check, or the writing of a finding's sentences, starts failing or fails with
 * another text, and one INFO line when it works again: as a failing source is logged, not once per
 * scrape, per namespace or per read of a finding. The error's text is the line's {@code err}, its
 * stack comes out at debug (LogOutput). Judging and writing happen on several threads: shared state
 * under a lock, and a volatile flag keeps the lock off the path where nothing ever failed.
 */
final class FailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(Checks.class);

    /** For lazy sentences no {@link Checks} judged (made by hand, as tests do): logged, never concluded. */
    static final FailureLog UNJUDGED = sentences();

    private final String failedLine;
    private final String worksLine;
    // keyed by footgun over a whole read, not by observation: a check failing in one namespace and working in another is failing, not flapping
    /** The texts each footgun failed with in the last read and in this one so far; absent while it works. */
    private final Map<Footgun, Set<String>> failing = new EnumMap<>(Footgun.class);
    /** The texts each footgun failed with since the last read ended. */
    private final Map<Footgun, Set<String>> failedInRead = new EnumMap<>(Footgun.class);
    /** Failing footguns that also worked since the last read ended (in another namespace, or after the failure). */
    private final Set<Footgun> workedInRead = EnumSet.noneOf(Footgun.class);
    /** Whether anything is failing: read without the lock by {@link #worked}, on every check of every scrape. */
    private volatile boolean any;

    private FailureLog(String failedLine, String worksLine) {
        this.failedLine = failedLine;
        this.worksLine = worksLine;
    }

    /** For checks that throw: their finding is unknown ("check failed: ..."). */
    static FailureLog checks() {
        return new FailureLog("check {} failed: its finding is unknown", "check {} works again");
    }

    /** For a finding's evidence and fix, written when first read, whose writer throws. */
    static FailureLog sentences() {
        return new FailureLog("finding {}: the verdict stands; its evidence could not be written",
                "finding {}: its evidence is written again");
    }

    /** {@code footgun} threw {@code e}: one line when that text is new for it. */
    void failed(Footgun footgun, RuntimeException e) {
        if (footgun == null) {
            LOG.warn(failedLine, "?", e); // sentences never put in a finding: nothing to key them by
            return;
        }
        String text = e.toString();
        boolean fresh;
        synchronized (this) {
            any = true;
            failedInRead.computeIfAbsent(footgun, k -> new HashSet<>()).add(text);
            fresh = failing.computeIfAbsent(footgun, k -> new HashSet<>()).add(text);
        }
        if (fresh) {
            LOG.warn(failedLine, footgun.id(), e);
        }
    }

    /** {@code footgun} worked: counted only while something fails, so the usual path takes no lock. */
    void worked(Footgun footgun) {
        if (any && footgun != null) {
            synchronized (this) {
                if (failing.containsKey(footgun)) {
                    workedInRead.add(footgun);
                }
            }
        }
    }

    /**
     * One read judged (every namespace's observation): a failing footgun that worked since the last
     * read and never failed is logged as working again; one neither judged nor written stays as it was.
     */
    void readDone() {
        if (!any) {
            return;
        }
        List<Footgun> recovered = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<Footgun, Set<String>>> it = failing.entrySet().iterator(); it.hasNext();) {
                Map.Entry<Footgun, Set<String>> e = it.next();
                Footgun f = e.getKey();
                Set<String> now = failedInRead.get(f);
                if (now != null) {
                    e.setValue(now); // only this read's texts stay: one that comes back later is a change again
                } else if (workedInRead.contains(f)) {
                    it.remove();
                    recovered.add(f);
                }
            }
            failedInRead.clear();
            workedInRead.clear();
            any = !failing.isEmpty();
        }
        for (Footgun f : recovered) {
            LOG.info(worksLine, f.id());
        }
    }
}

package dev.tcpfootgun.footgun;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WARN line when a check, or the writing of a finding's sentences, starts failing or fails with
 * another text, and one INFO line when it no longer fails: as a failing source is logged, not once
 * per scrape, per namespace or per read of a finding. The error's text is the line's {@code err},
 * its stack comes out at debug (LogOutput). Judging and writing happen on several threads: shared
 * state under a lock, and a volatile flag keeps the lock off the path where nothing is failing.
 */
final class FailureLog {
    private static final Logger LOG = LoggerFactory.getLogger(Checks.class);

    /** For lazy sentences no {@link Checks} judged (made by hand, as tests do): logged, never concluded. */
    static final FailureLog UNJUDGED = sentences();

    /** What is known of one footgun while it fails. */
    private static final class Failing {
        /** The texts it failed with in the last read and in this one so far: a text not among them is a change. */
        Set<String> texts = new HashSet<>();
        Set<String> textsInRead = new HashSet<>();
        // keyed by namespace, not by footgun alone: failing in one namespace and working in another is failing, not flapping
        /** The namespaces it fails in; one it works in again, or one no longer judged (gone), leaves. */
        final Set<Long> namespaces = new HashSet<>();
    }

    private final String failedLine;
    private final String fineLine;
    private final Map<Footgun, Failing> failing = new EnumMap<>(Footgun.class);
    /** The namespaces judged since the last read ended, counted only while something fails. */
    private final Set<Long> judgedInRead = new HashSet<>();
    /** Whether anything is failing: read without the lock on every check of every scrape. */
    private volatile boolean any;

    private FailureLog(String failedLine, String fineLine) {
        this.failedLine = failedLine;
        this.fineLine = fineLine;
    }

    /** For checks that throw: their finding is unknown ("check failed: ..."). */
    static FailureLog checks() {
        return new FailureLog("check {} failed: its finding is unknown", "check {} no longer fails");
    }

    /** For a finding's evidence and fix, written when first read, whose writer throws. */
    static FailureLog sentences() {
        return new FailureLog("finding {}: the verdict stands; its evidence could not be written",
                "finding {}: its evidence is written again");
    }

    /** {@code namespace}'s observation was judged: while something fails, one not judged in a read is gone. */
    void judged(long namespace) {
        if (any) {
            synchronized (this) {
                judgedInRead.add(namespace);
            }
        }
    }

    /** {@code footgun} threw {@code e} in {@code namespace}: one line when that text is new for it. */
    void failed(Footgun footgun, long namespace, RuntimeException e) {
        if (footgun == null) {
            LOG.warn(failedLine, "?", e); // sentences never put in a finding: nothing to key them by
            return;
        }
        String text = e.toString();
        boolean fresh;
        synchronized (this) {
            any = true;
            judgedInRead.add(namespace);
            Failing f = failing.computeIfAbsent(footgun, k -> new Failing());
            f.namespaces.add(namespace);
            f.textsInRead.add(text);
            fresh = f.texts.add(text);
        }
        if (fresh) {
            LOG.warn(failedLine, footgun.id(), e);
        }
    }

    /** {@code footgun} worked in {@code namespace}: looked at only while something fails, so the usual path takes no lock. */
    void worked(Footgun footgun, long namespace) {
        if (any && footgun != null) {
            synchronized (this) {
                Failing f = failing.get(footgun);
                if (f != null) {
                    f.namespaces.remove(namespace);
                }
            }
        }
    }

    /**
     * One read judged (every namespace's observation): a footgun failing in no namespace judged in
     * it (each worked again, or is gone) is logged as no longer failing.
     */
    void readDone() {
        if (!any) {
            return;
        }
        List<Footgun> fine = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<Footgun, Failing>> it = failing.entrySet().iterator(); it.hasNext();) {
                Map.Entry<Footgun, Failing> e = it.next();
                Footgun footgun = e.getKey();
                Failing f = e.getValue();
                f.namespaces.retainAll(judgedInRead);
                if (f.namespaces.isEmpty()) {
                    it.remove();
                    fine.add(footgun);
                } else if (!f.textsInRead.isEmpty()) {
                    f.texts = f.textsInRead; // only this read's texts stay: one that comes back later is a change again
                    f.textsInRead = new HashSet<>();
                }
            }
            judgedInRead.clear();
            any = !failing.isEmpty();
        }
        for (Footgun f : fine) {
            LOG.info(fineLine, f.id());
        }
    }
}

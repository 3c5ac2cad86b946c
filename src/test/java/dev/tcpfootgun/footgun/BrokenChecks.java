package dev.tcpfootgun.footgun;

import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** Checks made up for the tests of what a check that throws, or a writer of sentences that throws, costs. */
public final class BrokenChecks {

    private BrokenChecks() {}

    /** A check of {@code footgun} that judges with {@code judge}. */
    public static Check judging(Footgun footgun, Function<Observation, Finding> judge) {
        return new Check() {
            @Override
            public Footgun footgun() {
                return footgun;
            }

            @Override
            public Finding judge(Observation o) {
                return judge.apply(o);
            }
        };
    }

    /** Throws an IllegalStateException with {@code error}'s text while it holds one, for {@code only}'s observations (every one when empty). */
    static void throwWhile(AtomicReference<String> error, Set<Observation> only, Observation o) {
        String text = error.get();
        if (text != null && (only.isEmpty() || only.contains(o))) {
            throw new IllegalStateException(text);
        }
    }
}

package dev.tcpfootgun.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The cap of every per-destination and per-namespace family: the first K of a ranking get series
 * of their own, the rest sum into one "other" series, so cardinality never grows with traffic. The
 * ranking's order is kept as given (ties stay in the order ranked), so the output is the same from
 * scrape to scrape.
 *
 * @param top the first K, in ranked order
 * @param rest the others, in ranked order
 */
record TopK<T>(List<T> top, List<T> rest) {

    TopK {
        top = List.copyOf(top);
        rest = List.copyOf(rest);
    }

    /** The first {@code k} of an already ranked list; {@code k} may exceed its size, never be negative. */
    static <T> TopK<T> of(List<T> ranked, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("top K must not be negative: " + k);
        }
        int n = Math.min(k, ranked.size());
        return new TopK<>(ranked.subList(0, n), ranked.subList(n, ranked.size()));
    }

    /** Ranks {@code items} by {@code order} (stable: equal items keep their order) and keeps the first {@code k}. */
    static <T> TopK<T> of(Collection<T> items, int k, Comparator<? super T> order) {
        List<T> ranked = new ArrayList<>(items);
        ranked.sort(order);
        return of(ranked, k);
    }

    /** The "other" series' value: {@code value} summed over the rest; 0 when there is none. */
    long restSum(ToLongFunction<? super T> value) {
        long sum = 0;
        for (T t : rest) {
            sum += value.applyAsLong(t);
        }
        return sum;
    }

    boolean hasRest() {
        return !rest.isEmpty();
    }
}

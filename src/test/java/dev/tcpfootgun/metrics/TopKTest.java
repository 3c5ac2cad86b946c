package dev.tcpfootgun.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one top-K-plus-other rule of the capped families. */
class TopKTest {

    record Dest(String ip, long count) {}

    static final List<Dest> RANKED = List.of(new Dest("a", 9), new Dest("b", 5), new Dest("c", 5), new Dest("d", 5), new Dest("e", 1));

    @Test
    void theFirstKKeepTheirSeriesAndTheRestSumIntoOther() {
        TopK<Dest> t = TopK.of(RANKED, 2);
        assertThat(t.top()).extracting(Dest::ip).containsExactly("a", "b");
        assertThat(t.rest()).extracting(Dest::ip).containsExactly("c", "d", "e");
        assertThat(t.restSum(Dest::count)).isEqualTo(11);
        assertThat(t.hasRest()).isTrue();
    }

    @Test
    void kZeroPutsEverythingInOther() {
        TopK<Dest> t = TopK.of(RANKED, 0);
        assertThat(t.top()).isEmpty();
        assertThat(t.rest()).isEqualTo(RANKED);
        assertThat(t.restSum(Dest::count)).isEqualTo(25);
    }

    @Test
    void fewerThanKLeaveOtherEmptyAndZero() {
        TopK<Dest> t = TopK.of(RANKED, 20);
        assertThat(t.top()).isEqualTo(RANKED);
        assertThat(t.hasRest()).isFalse();
        assertThat(t.restSum(Dest::count)).isZero();
        TopK<Dest> none = TopK.of(List.<Dest>of(), 3);
        assertThat(none.top()).isEmpty();
        assertThat(none.restSum(Dest::count)).isZero();
        assertThat(TopK.of(RANKED, RANKED.size()).hasRest()).isFalse();
    }

    @Test
    void aNegativeKIsRefused() {
        assertThatThrownBy(() -> TopK.of(RANKED, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void tiesAtTheCutKeepTheirRankedOrderSoTheSameSeriesComeBackEveryScrape() {
        // b, c, d tie at 5; K=2 cuts among them: the ranking's order decides, the helper never reorders
        assertThat(TopK.of(RANKED, 2).top()).extracting(Dest::ip).containsExactly("a", "b");
        // ranked by a comparator with ties: the sort is stable, equal items keep the order they came in
        var byCount = Comparator.comparingLong(Dest::count).reversed();
        List<Dest> shuffled = List.of(new Dest("d", 5), new Dest("e", 1), new Dest("b", 5), new Dest("a", 9), new Dest("c", 5));
        TopK<Dest> t = TopK.of(new LinkedHashSet<>(shuffled), 3, byCount);
        assertThat(t.top()).extracting(Dest::ip).containsExactly("a", "d", "b");
        assertThat(t.rest()).extracting(Dest::ip).containsExactly("c", "e");
        for (int i = 0; i < 5; i++) {
            assertThat(TopK.of(new LinkedHashSet<>(shuffled), 3, byCount)).isEqualTo(t);
        }
        // a total order (ties broken by address, as the renderers do) gives the same cut whatever the input order
        var total = byCount.thenComparing(Dest::ip);
        assertThat(TopK.of(shuffled, 3, total).top()).extracting(Dest::ip).containsExactly("a", "b", "c");
        assertThat(TopK.of(shuffled.reversed(), 3, total)).isEqualTo(TopK.of(shuffled, 3, total));
    }

    @Test
    void theTopAndRestAreCopiesTheCallerCannotChange() {
        List<Dest> ranked = new java.util.ArrayList<>(RANKED);
        TopK<Dest> t = TopK.of(ranked, 2);
        ranked.clear();
        assertThat(t.top()).hasSize(2);
        assertThat(t.rest()).hasSize(3);
        assertThatThrownBy(() -> t.top().add(new Dest("x", 1))).isInstanceOf(UnsupportedOperationException.class);
    }
}

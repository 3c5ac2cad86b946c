package dev.tcpfootgun.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** TcpInfo holds u32 fields in ints: what goes in comes back unsigned, absent fields -1, a value too wide is refused. */
class TcpInfoTest {

    /** A 5.4 struct (232 bytes) with every u32 at its largest and every u64 at the kernel's all-ones. */
    private static TcpInfo widest(int size) {
        long u32 = 0xFFFFFFFFL;
        return new TcpInfo(size, 255, 255, u32, u32, u32, u32, u32, u32, u32, u32, u32, -1L, u32, u32, u32, u32,
                -1L, -1L, -1L, -1L, -1L, -1L, u32);
    }

    @Test
    void theLargestU32ComesBackUnsigned() {
        TcpInfo i = widest(TcpInfo.SIZE_5_4);
        assertThat(i.rttMicros()).isEqualTo(4294967295L);
        assertThat(i.sndWnd()).isEqualTo(4294967295L);
        assertThat(i.minRttMicros()).isEqualTo(TcpInfo.MIN_RTT_UNSET);
        assertThat(i.hasMinRtt()).isFalse(); // all ones is "no sample yet", not absent
        assertThat(i.covers(152)).isTrue();
        assertThat(i.retransmits()).isEqualTo(255);
    }

    @Test
    void fieldsPastTheSizeReadMinusOneWhateverWasGiven() {
        TcpInfo i = widest(TcpInfo.SIZE_BASE);
        assertThat(i.totalRetrans()).isEqualTo(4294967295L); // ends at 104: covered
        assertThat(i.bytesAcked()).isEqualTo(-1);
        assertThat(i.segsOut()).isEqualTo(-1);
        assertThat(i.minRttMicros()).isEqualTo(-1);
        assertThat(i.sndWnd()).isEqualTo(-1);
        assertThat(i.hasMinRtt()).isFalse();
        assertThat(i).isEqualTo(widest(TcpInfo.SIZE_BASE)).hasSameHashCodeAs(widest(TcpInfo.SIZE_BASE));
    }

    @Test
    void aCoveredValueThatDoesNotFitItsFieldIsRefused() {
        assertThatThrownBy(() -> new TcpInfo(TcpInfo.SIZE_5_4, 0, 0, 1L << 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sndMss");
        assertThatThrownBy(() -> new TcpInfo(TcpInfo.SIZE_5_4, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rttMicros");
        assertThatThrownBy(() -> new TcpInfo(TcpInfo.SIZE_5_4, 256, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retransmits");
    }

    @Test
    void equalityIsByValue() {
        TcpInfo a = widest(TcpInfo.SIZE_5_4);
        TcpInfo b = new TcpInfo(TcpInfo.SIZE_5_4, 255, 255, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL,
                0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL, 0xFFFFFFFFL, -1L, 0xFFFFFFFFL, 0xFFFFFFFFL,
                0xFFFFFFFFL, 0xFFFFFFFFL, -1L, -1L, -1L, -1L, -1L, -1L, 0xFFFFFFFEL);
        assertThat(a).isNotEqualTo(b);
        assertThat(a.toString()).contains("sndWnd=4294967295").contains("size=232");
    }

    /** The decoder's unchecked path (store) writes what the checked constructor stores: the same raw bits, -1 past the size. */
    @Test
    void storedRawBitsAreTheCheckedConstructorsValues() {
        for (int size : new int[] {TcpInfo.SIZE_BASE, TcpInfo.SIZE_4_9, TcpInfo.SIZE_5_4}) {
            int[] ints = new int[TcpInfo.INTS];
            long[] longs = new long[TcpInfo.LONGS];
            TcpInfo.store(ints, longs, 0, size, 255, 255, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1L, -1, -1, -1, -1,
                    -1L, -1L, -1L, -1L, -1L, -1L, -1);
            TcpInfo raw = TcpInfo.view(ints, longs, 0);
            assertThat(raw).isEqualTo(widest(size)).hasSameHashCodeAs(widest(size));
            assertThat(raw.totalRetrans()).isEqualTo(4294967295L);
            assertThat(raw.segsOut()).isEqualTo(size >= 140 ? 4294967295L : -1);
        }
        // a row of two-row columns: the view reads its own row only
        int[] ints = new int[2 * TcpInfo.INTS];
        long[] longs = new long[2 * TcpInfo.LONGS];
        TcpInfo.store(ints, longs, 1, TcpInfo.SIZE_5_4, 1, 0, 1448, 0, 1500, 1200, 600, 10, 1448, 14480, 3, 99L,
                7, 0, 900, 5, 1L, 2L, 3L, 4L, 5L, 6L, 65535);
        TcpInfo small = TcpInfo.view(ints, longs, 1);
        assertThat(small).isEqualTo(new TcpInfo(TcpInfo.SIZE_5_4, 1, 0, 1448, 0, 1500, 1200, 600, 10, 1448, 14480, 3,
                99, 7, 0, 900, 5, 1, 2, 3, 4, 5, 6, 65535));
    }
}

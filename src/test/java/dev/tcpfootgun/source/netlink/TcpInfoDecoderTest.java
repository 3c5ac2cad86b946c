package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.TcpInfo;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Built tcp_info bytes for what a loopback capture cannot show: each field's offset, and sentinels. */
class TcpInfoDecoderTest {

    private static TcpInfo decode(ByteBuffer b) {
        return TcpInfoDecoder.decode(MemorySegment.ofArray(b.array()), 0, b.capacity());
    }

    @Test
    void everyKeptFieldIsListedWithItsOffset() {
        // the length tests walk TcpInfoFields: a field left out of it would go untested at every length
        int fields = TcpInfo.INTS + TcpInfo.LONGS; // a row of TcpInfo's int and long columns
        assertThat(TcpInfoFields.ALL).hasSize(fields - 1); // all but size
    }

    @Test
    void eachFieldReadsItsOwnBytesAndNoOther() {
        for (TcpInfoFields field : TcpInfoFields.ALL) {
            ByteBuffer b = ByteBuffer.allocate(248).order(ByteOrder.nativeOrder());
            int at = field.end() - field.width();
            switch (field.width()) {
                case 1 -> b.put(at, (byte) 0x5a);
                case 4 -> b.putInt(at, 0x5a0b0c0d);
                default -> b.putLong(at, 0x5a0b0c0d0e0f1011L);
            }
            TcpInfo info = decode(b);
            long expected = field.width() == 1 ? 0x5a : field.width() == 4 ? 0x5a0b0c0dL : 0x5a0b0c0d0e0f1011L;
            assertThat(field.value().applyAsLong(info)).as(field.name()).isEqualTo(expected);
            for (TcpInfoFields other : TcpInfoFields.ALL) {
                if (other != field) {
                    assertThat(other.value().applyAsLong(info)).as(other.name() + " with " + field.name() + " set").isZero();
                }
            }
        }
    }

    @Test
    void unsignedFieldsDoNotGoNegative() {
        ByteBuffer b = ByteBuffer.allocate(160).order(ByteOrder.nativeOrder());
        b.putInt(148, -1); // min_rtt before the first sample
        b.putInt(100, 0xfffffffe); // total_retrans near wrap
        b.putInt(80, 0x80000000); // snd_cwnd with the top bit set
        TcpInfo info = decode(b);
        assertThat(info.minRttMicros()).isEqualTo(TcpInfo.MIN_RTT_UNSET);
        assertThat(info.hasMinRtt()).isFalse();
        assertThat(info.totalRetrans()).isEqualTo(0xfffffffeL);
        assertThat(info.sndCwnd()).isEqualTo(0x80000000L);
    }

    @Test
    void decodingFromTheHeapCopyAtAnOffsetReadsTheSameFields() {
        ByteBuffer b = ByteBuffer.allocate(248).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 248; i++) {
            b.put(i, (byte) (i * 7 + 3));
        }
        byte[] shifted = new byte[248 + 13];
        System.arraycopy(b.array(), 0, shifted, 13, 248);
        assertThat(TcpInfoDecoder.decode(shifted, 13, 248)).isEqualTo(decode(b));
    }
}

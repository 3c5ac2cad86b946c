package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpfootgun.snapshot.TcpInfo;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Built tcp_info bytes for what a loopback capture cannot show: bitfields and sentinels. */
class TcpInfoDecoderTest {

    private static TcpInfo decode(ByteBuffer b) {
        return TcpInfoDecoder.decode(MemorySegment.ofArray(b.array()), 0, b.capacity());
    }

    @Test
    void bitfieldBytesAreLowNibbleFirstAndBitZero() {
        ByteBuffer b = ByteBuffer.allocate(104).order(ByteOrder.nativeOrder());
        b.put(6, (byte) 0x27); // gcc on x86_64: snd_wscale=7, rcv_wscale=2
        b.put(7, (byte) 0x05); // delivery_rate_app_limited=1, fastopen_client_fail=2
        TcpInfo info = decode(b);
        assertThat(info.sndWscale()).isEqualTo(7);
        assertThat(info.rcvWscale()).isEqualTo(2);
        assertThat(info.deliveryRateAppLimited()).isTrue();

        b.put(7, (byte) 0x04); // fastopen_client_fail only
        assertThat(decode(b).deliveryRateAppLimited()).isFalse();
    }

    @Test
    void unsignedFieldsDoNotGoNegative() {
        ByteBuffer b = ByteBuffer.allocate(160).order(ByteOrder.nativeOrder());
        b.putInt(76, 0x7fffffff); // snd_ssthresh "infinite" in initial slow start
        b.putInt(148, -1); // min_rtt before the first sample
        b.putInt(100, 0xfffffffe); // total_retrans near wrap
        TcpInfo info = decode(b);
        assertThat(info.sndSsthresh()).isEqualTo(0x7fffffffL);
        assertThat(info.minRttMicros()).isEqualTo(TcpInfo.MIN_RTT_UNSET);
        assertThat(info.hasMinRtt()).isFalse();
        assertThat(info.totalRetrans()).isEqualTo(0xfffffffeL);
    }

    @Test
    void sixteenBitRtoCountersOf67() {
        ByteBuffer b = ByteBuffer.allocate(248).order(ByteOrder.nativeOrder());
        b.putShort(240, (short) 0xfffe).putShort(242, (short) 3).putInt(244, 1500);
        TcpInfo info = decode(b);
        assertThat(info.totalRto()).isEqualTo(0xfffe);
        assertThat(info.totalRtoRecoveries()).isEqualTo(3);
        assertThat(info.totalRtoTimeMillis()).isEqualTo(1500);
    }
}

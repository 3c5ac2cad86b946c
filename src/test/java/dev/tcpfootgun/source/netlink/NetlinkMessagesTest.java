package dev.tcpfootgun.source.netlink;

import static dev.tcpfootgun.source.netlink.NetlinkBytes.attr;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.message;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.segment;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.string;
import static dev.tcpfootgun.source.netlink.NetlinkBytes.u32;
import static dev.tcpfootgun.source.netlink.NetlinkMessages.END;
import static dev.tcpfootgun.source.netlink.NetlinkMessages.INTERRUPTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkMessagesTest {
    private static final int SEQ = 77;
    private static final int DATA = 20;
    private final List<Integer> seen = new ArrayList<>();

    private int walk(MemorySegment datagram) throws IOException {
        return NetlinkMessages.walk(datagram, SEQ, "test", m -> seen.add(NetlinkMessages.type(m)));
    }

    /** struct nlmsgerr: int error, then the echoed request header (16 bytes, capped). */
    private static byte[] error(int negativeErrno, int flags, byte[]... tlvs) {
        byte[] echoed = message(DATA, 0x301, SEQ);
        return message(NetlinkMessages.NLMSG_ERROR, flags, SEQ, u32(negativeErrno), echoed, NetlinkBytes.concat(tlvs));
    }

    @Test
    void nlmsgErrorBecomesNetlinkExceptionWithTheErrno() {
        assertThatThrownBy(() -> walk(segment(error(-22, 0))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(22);
                    assertThat(e.errnoName()).isEqualTo("EINVAL");
                    assertThat(e.kernelMessage()).isNull();
                });
        assertThatThrownBy(() -> walk(segment(error(-1, 0))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EPERM"));
        assertThatThrownBy(() -> walk(segment(error(-2, 0))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("ENOENT"));
    }

    @Test
    void extendedAckTextIsCarried() {
        int capped = NetlinkMessages.NLM_F_CAPPED | NetlinkMessages.NLM_F_ACK_TLVS;
        assertThatThrownBy(() -> walk(segment(error(-95, capped, attr(1, string("Unknown qdisc"))))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EOPNOTSUPP");
                    assertThat(e.kernelMessage()).isEqualTo("Unknown qdisc");
                    assertThat(e).hasMessageContaining("EOPNOTSUPP").hasMessageContaining("Unknown qdisc");
                });
    }

    @Test
    void errorZeroIsAnAckThatEndsTheReply() throws IOException {
        int status = walk(segment(message(DATA, 0, SEQ), error(0, 0), message(DATA, 0, SEQ)));
        assertThat(status).isEqualTo(END);
        assertThat(seen).containsExactly(DATA);
    }

    @Test
    void doneEndsTheReplyAndTrailingBytesAreIgnored() throws IOException {
        int status = walk(segment(
                message(DATA, NetlinkMessages.NLM_F_MULTI, SEQ),
                message(DATA, NetlinkMessages.NLM_F_MULTI, SEQ),
                message(NetlinkMessages.NLMSG_DONE, NetlinkMessages.NLM_F_MULTI, SEQ, u32(0)),
                message(DATA, 0, SEQ)));
        assertThat(status).isEqualTo(END);
        assertThat(seen).containsExactly(DATA, DATA);
    }

    @Test
    void aDatagramWithoutDoneAsksForMore() throws IOException {
        assertThat(walk(segment(message(DATA, NetlinkMessages.NLM_F_MULTI, SEQ)))).isZero();
    }

    @Test
    void doneWithNegativeStatusIsAnError() {
        assertThatThrownBy(() -> walk(segment(message(NetlinkMessages.NLMSG_DONE, 2, SEQ, u32(-16)))))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EBUSY"));
    }

    @Test
    void dumpIntrOnAnyPartIsReported() throws IOException {
        int intr = NetlinkMessages.NLM_F_MULTI | NetlinkMessages.NLM_F_DUMP_INTR;
        assertThat(walk(segment(message(DATA, intr, SEQ), message(DATA, 2, SEQ)))).isEqualTo(INTERRUPTED);
        assertThat(walk(segment(message(NetlinkMessages.NLMSG_DONE, intr, SEQ, u32(0))))).isEqualTo(END | INTERRUPTED);
    }

    @Test
    void repliesToAnotherSequenceNumberAreDropped() throws IOException {
        int status = walk(segment(
                message(21, 2, SEQ - 1),
                message(NetlinkMessages.NLMSG_DONE, 2, SEQ - 1, u32(0)),
                message(DATA, 2, SEQ)));
        assertThat(status).isZero();
        assertThat(seen).containsExactly(DATA);
    }

    @Test
    void aLengthThatDoesNotFitIsMalformed() {
        byte[] m = message(DATA, 0, SEQ, new byte[8]);
        m[0] = 100; // nlmsg_len past the end of the datagram
        assertThatThrownBy(() -> walk(segment(m))).isInstanceOf(IOException.class)
                .isNotInstanceOf(NetlinkException.class).hasMessageContaining("malformed");
        byte[] tooShort = message(DATA, 0, SEQ);
        tooShort[0] = 8;
        assertThatThrownBy(() -> walk(segment(tooShort))).hasMessageContaining("malformed");
    }

    @Test
    void overrunIsAnError() {
        assertThatThrownBy(() -> walk(segment(message(NetlinkMessages.NLMSG_OVERRUN, 0, SEQ))))
                .isInstanceOf(IOException.class).hasMessageContaining("overrun");
    }
}

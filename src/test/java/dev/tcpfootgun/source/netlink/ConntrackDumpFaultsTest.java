package dev.tcpfootgun.source.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpfootgun.snapshot.ConntrackEntries;
import dev.tcpfootgun.snapshot.NatRule;
import dev.tcpfootgun.snapshot.PortRange;
import dev.tcpfootgun.source.NodeReader;
import dev.tcpfootgun.source.ParseLog;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The conntrack dump when the kernel says no: EPERM (no CAP_NET_ADMIN) as the kernel's NLMSG_ERROR,
 * ENOBUFS mid-dump from recv, and NLM_F_DUMP_INTR once and twice; and the NAT ranges when the
 * ruleset cannot be read (the flag, or the kernel's default, and the evidence says which).
 */
class ConntrackDumpFaultsTest {
    static final byte[] DUMP = ConntrackDumpTest.DUMP;
    static final byte[] DONE = NetlinkBytes.message(NetlinkMessages.NLMSG_DONE, NetlinkMessages.NLM_F_MULTI, 1, NetlinkBytes.u32(0));

    /** Replays one scripted reply per dump: bytes are datagrams ending the reply, an Integer a recv errno. */
    static CtnetlinkDump replaying(Deque<Object> replies, CtnetlinkDump.RuleReader rules, PortRange flag) {
        return new CtnetlinkDump(Duration.ofSeconds(1), Long.MAX_VALUE, Duration.ofSeconds(30), flag, (type, body, sink) -> {
            Object reply = replies.removeFirst();
            Deque<Object> steps = new ArrayDeque<>(reply instanceof Integer ? List.of(DUMP, reply) : List.of(reply, DONE));
            NetlinkSocket.Receiver recv = buffer -> {
                Object next = steps.removeFirst();
                if (next instanceof Integer errno) {
                    return -errno;
                }
                byte[] d = (byte[]) next;
                MemorySegment.copy(MemorySegment.ofArray(d), 0, buffer, 0, d.length);
                return d.length;
            };
            return NetlinkSocket.readReply(recv, MemorySegment.ofArray(new byte[NetlinkSocket.RECEIVE_BUFFER]),
                    NetlinkMessages.ANY_SEQ, "replay", Duration.ofSeconds(1), sink);
        }, rules);
    }

    static final CtnetlinkDump.RuleReader NO_RULES = log -> List.of();

    @Test
    void epermIsOneReasonNamingTheCapability() {
        byte[] eperm = NetlinkBytes.message(NetlinkMessages.NLMSG_ERROR, 0, 1, NetlinkBytes.u32(-Errno.EPERM), new byte[16]);
        CtnetlinkDump dump = replaying(new ArrayDeque<>(List.of(eperm)), NO_RULES, null);
        assertThatThrownBy(() -> dump.read(new ParseLog())).isInstanceOf(IOException.class)
                .hasMessageContaining("EPERM").hasMessageContaining("CAP_NET_ADMIN");
        // through the reader: a failed reading with that reason, success 0, nothing thrown
        var reading = NodeReader.read("conntrack_entries", replaying(new ArrayDeque<>(List.of(eperm)), NO_RULES, null));
        assertThat(reading.success()).isFalse();
        assertThat(reading.collector()).isEqualTo("conntrack_entries");
        assertThat(reading.reason()).contains("CAP_NET_ADMIN");
    }

    @Test
    void enobufsMidDumpFailsTheReading() {
        var reading = NodeReader.read("conntrack_entries", replaying(new ArrayDeque<>(List.of(Errno.ENOBUFS)), NO_RULES, null));
        assertThat(reading.success()).isFalse();
        assertThat(reading.reason()).contains("ENOBUFS");
    }

    static byte[] interrupted() {
        byte[] b = DUMP.clone();
        ByteBuffer h = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        h.putShort(6, (short) (h.getShort(6) | NetlinkMessages.NLM_F_DUMP_INTR));
        return b;
    }

    @Test
    void anInterruptedDumpIsCountedAgainNotTwice() throws IOException {
        ParseLog log = new ParseLog();
        ConntrackEntries ce = replaying(new ArrayDeque<>(List.of(interrupted(), DUMP)), NO_RULES, null).read(log);
        assertThat(ce.entries()).isEqualTo(ConntrackDumpTest.ORACLE.size());
        assertThat(ce.partial()).isNull();
        assertThat(log.skipped()).isZero();
    }

    @Test
    void aDumpInterruptedTwiceIsKeptAndSaysSo() throws IOException {
        ParseLog log = new ParseLog();
        ConntrackEntries ce = replaying(new ArrayDeque<>(List.of(interrupted(), interrupted())), NO_RULES, null).read(log);
        assertThat(ce.entries()).isEqualTo(ConntrackDumpTest.ORACLE.size());
        assertThat(ce.partial()).contains("NLM_F_DUMP_INTR");
        assertThat(log.skipped()).isEqualTo(1);
    }

    @Test
    void unreadableRulesTakeTheFlagOrTheKernelDefaultAndSayWhich() throws IOException {
        CtnetlinkDump.RuleReader refused = log -> {
            throw new NetlinkException("netlink request type 2567", Errno.EPERM, null);
        };
        ConntrackEntries flagged = replaying(new ArrayDeque<>(List.of(DUMP)), refused, new PortRange(40000, 40049)).read(new ParseLog());
        assertThat(flagged.natPorts().origin()).isEqualTo("flag");
        assertThat(flagged.natPorts().unreadable()).contains("EPERM");
        assertThat(ConntrackDumpTest.group(flagged, "tcp", "10.77.2.2", 8080).range()).isEqualTo(new PortRange(40000, 40049));
        assertThat(ConntrackDumpTest.group(flagged, "tcp", "10.77.2.2", 8080).heldInRange()).isEqualTo(0); // 40062, 40070: outside

        ConntrackEntries assumed = replaying(new ArrayDeque<>(List.of(DUMP)), refused, null).read(new ParseLog());
        assertThat(assumed.natPorts().origin()).isEqualTo("default");
        assertThat(ConntrackDumpTest.group(assumed, "tcp", "10.77.2.2", 8080).range()).isEqualTo(NatRule.KERNEL_DEFAULT_PORTS);

        ConntrackEntries read = replaying(new ArrayDeque<>(List.of(DUMP)), log -> ConntrackDumpTest.RULES.rules(), null)
                .read(new ParseLog());
        assertThat(read.natPorts().origin()).isEqualTo("nftables");
        assertThat(ConntrackDumpTest.group(read, "tcp", "10.77.2.2", 8080).range()).isEqualTo(new PortRange(40000, 40099));
    }
}

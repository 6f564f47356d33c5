package io.vpnlb.dataplane.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SstpPacketTrackerTest {

    private final List<String> seen = new ArrayList<>();
    private final SstpPacketTracker tracker = new SstpPacketTracker(new SstpPacketTracker.Listener() {
        @Override
        public void control(int messageType, byte[] packet, int length, int packetLength) {
            seen.add("control " + messageType + " " + length + "/" + packetLength + " hash[0]="
                    + (length > 48 ? packet[48] : -1));
        }

        @Override
        public void data() {
            seen.add("data");
        }
    });

    private static byte[] stream() {
        byte[] data = new byte[1500];
        data[0] = 0x10;
        data[2] = (byte) (1500 >> 8);
        data[3] = (byte) (1500 & 0xFF);
        byte[] connected = new byte[112];
        connected[0] = 0x10;
        connected[1] = 0x01;
        connected[3] = 112;
        connected[5] = 4;
        connected[48] = 0x5A;
        byte[] ack = SstpTestMember.connectAck(new byte[32]);
        byte[] all = new byte[ack.length + data.length + connected.length];
        System.arraycopy(ack, 0, all, 0, ack.length);
        System.arraycopy(data, 0, all, ack.length, data.length);
        System.arraycopy(connected, 0, all, ack.length + data.length, connected.length);
        return all;
    }

    @Test
    void followsPacketsSplitAtEveryPossibleBoundary() {
        byte[] all = stream();
        List<String> expected = List.of("control 2 48/48 hash[0]=-1", "data", "control 4 112/112 hash[0]=90");
        for (int cut = 0; cut <= all.length; cut++) {
            seen.clear();
            SstpPacketTracker fresh = new SstpPacketTracker(new SstpPacketTracker.Listener() {
                @Override
                public void control(int messageType, byte[] packet, int length, int packetLength) {
                    seen.add("control " + messageType + " " + length + "/" + packetLength + " hash[0]="
                            + (length > 48 ? packet[48] : -1));
                }

                @Override
                public void data() {
                    seen.add("data");
                }
            });
            ByteBuf first = Unpooled.wrappedBuffer(Arrays.copyOfRange(all, 0, cut));
            ByteBuf second = Unpooled.wrappedBuffer(Arrays.copyOfRange(all, cut, all.length));
            try {
                fresh.feed(first, first.readerIndex());
                fresh.feed(second, second.readerIndex());
                assertThat(seen).as("cut at %d", cut).isEqualTo(expected);
                assertThat(first.readerIndex()).isZero();
            } finally {
                first.release();
                second.release();
            }
        }
    }

    @Test
    void badVersionOrLengthMarksTheStreamMalformed() {
        ByteBuf badVersion = Unpooled.wrappedBuffer(new byte[] {0x20, 0, 0, 8, 0, 0, 0, 0});
        ByteBuf shortControl = Unpooled.wrappedBuffer(new byte[] {0x10, 1, 0, 6, 0, 1});
        try {
            tracker.feed(badVersion, 0);
            assertThat(tracker.malformed()).isTrue();
            SstpPacketTracker other = new SstpPacketTracker(new SstpPacketTracker.Listener() {
                @Override
                public void control(int messageType, byte[] packet, int length, int packetLength) {
                    seen.add("control");
                }

                @Override
                public void data() {
                }
            });
            other.feed(shortControl, 0);
            assertThat(other.malformed()).isTrue();
            assertThat(seen).isEmpty();
        } finally {
            badVersion.release();
            shortControl.release();
        }
    }

    @Test
    void controlAttributesMustFitInTheirPacket() {
        // {description, packet hex, malformed}: CALL_CONNECT_REQUEST is 14 bytes with one 6-byte attribute.
        Object[][] cases = {
            {"exact", "1001000e" + "00010001" + "00010006" + "0001", false},
            {"attribute length past the packet", "1001000e" + "00010001" + "00010ff0" + "0001", true},
            {"attribute length under its header", "1001000e" + "00010001" + "00010002" + "0001", true},
            {"more attributes than fit", "1001000e" + "00010002" + "00010006" + "0001", true},
            {"no attributes, trailing bytes", "1001000c" + "00080000" + "00000000", false},
            {"CALL_ABORT of the test member", hex(SstpTestMember.abort()), false},
            {"CALL_CONNECT_ACK of the test member", hex(SstpTestMember.connectAck(new byte[32])), false},
        };
        for (Object[] c : cases) {
            SstpPacketTracker fresh = new SstpPacketTracker(new SstpPacketTracker.Listener() {
                @Override
                public void control(int messageType, byte[] packet, int length, int packetLength) {
                    seen.add("control " + messageType);
                }

                @Override
                public void data() {
                }
            });
            ByteBuf packet = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump((String) c[1]));
            try {
                fresh.feed(packet, 0);
                assertThat(fresh.malformed()).as((String) c[0]).isEqualTo(c[2]);
                if (!fresh.malformed()) {
                    assertThat(fresh.atPacketBoundary()).as((String) c[0]).isTrue();
                }
            } finally {
                packet.release();
            }
        }
        assertThat(seen).containsExactly("control 1", "control 8", "control 5", "control 2");
    }

    @Test
    void knowsWhetherTheBytesSoFarEndInsideAPacket() {
        byte[] all = stream();
        // Packet ends: CALL_CONNECT_ACK (48), the data packet (48 + 1500), CALL_CONNECTED (+ 112).
        List<Integer> boundaries = List.of(0, 48, 48 + 1500, all.length);
        for (int cut = 0; cut <= all.length; cut++) {
            SstpPacketTracker fresh = new SstpPacketTracker(new SstpPacketTracker.Listener() {
                @Override
                public void control(int messageType, byte[] packet, int length, int packetLength) {
                }

                @Override
                public void data() {
                }
            });
            ByteBuf first = Unpooled.wrappedBuffer(Arrays.copyOfRange(all, 0, cut));
            try {
                fresh.feed(first, 0);
                assertThat(fresh.atPacketBoundary()).as("cut at %d", cut).isEqualTo(boundaries.contains(cut));
            } finally {
                first.release();
            }
        }
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }
}

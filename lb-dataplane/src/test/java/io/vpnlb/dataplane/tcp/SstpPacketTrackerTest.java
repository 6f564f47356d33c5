package io.vpnlb.dataplane.tcp;

import io.netty.buffer.ByteBuf;
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
}

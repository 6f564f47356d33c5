package io.vpnlb.dataplane.tcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link SstpPacketTracker} on SSTP byte streams. Seeds: the packets SstpTestClient and
 * SstpTestMember exchange (CALL_CONNECT_REQUEST, CALL_CONNECT_ACK, CALL_CONNECTED, data, CALL_ABORT), in
 * {@code SstpPacketTrackerFuzzTestInputs/}.
 *
 * <p>Input: bytes 0..1 seed how the stream is cut into reads; the rest is the stream. The tracker must report the
 * same packets however the stream is cut (control packets straddle reads in the tracker's own small array), never
 * read outside a buffer (each read is a pooled buffer exactly as large as its bytes), and leave indices alone.
 */
class SstpPacketTrackerFuzzTest {

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void track(byte[] input) {
        if (input.length < 2) {
            return;
        }
        byte[] stream = Arrays.copyOfRange(input, 2, input.length);
        Recorder whole = new Recorder();
        feed(whole, stream, new int[] {stream.length});
        SplittableRandom random = new SplittableRandom(((input[0] & 0xFF) << 8) | (input[1] & 0xFF));
        List<Integer> cuts = new ArrayList<>();
        for (int left = stream.length; left > 0; ) {
            int n = Math.min(left, 1 + random.nextInt(Math.max(1, Math.min(left, 200))));
            cuts.add(n);
            left -= n;
        }
        Recorder pieces = new Recorder();
        feed(pieces, stream, cuts.stream().mapToInt(Integer::intValue).toArray());
        assertThat(pieces.events).isEqualTo(whole.events);
        assertThat(pieces.tracker.malformed()).isEqualTo(whole.tracker.malformed());
    }

    private static void feed(Recorder recorder, byte[] stream, int[] cuts) {
        int offset = 0;
        for (int cut : cuts) {
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(cut, cut);
            try {
                buf.writeBytes(stream, offset, cut);
                recorder.tracker.feed(buf, buf.readerIndex());
                assertThat(buf.readerIndex()).isZero();
                assertThat(buf.writerIndex()).isEqualTo(cut);
            } finally {
                buf.release();
            }
            offset += cut;
        }
    }

    /** Writes down what the tracker reports, checking each report as it comes. */
    private static final class Recorder implements SstpPacketTracker.Listener {

        final List<String> events = new ArrayList<>();
        final SstpPacketTracker tracker = new SstpPacketTracker(this);

        @Override
        public void control(int type, byte[] packet, int length, int packetLength) {
            assertThat(packet).hasSize(SstpPacketTracker.MAX_CONTROL_BYTES);
            assertThat(length).isEqualTo(Math.min(packetLength, SstpPacketTracker.MAX_CONTROL_BYTES));
            assertThat(packetLength).isBetween(SstpPacketTracker.HEADER_LENGTH + 4, 0xFFF);
            assertThat(packet[0] & 0xFF).isEqualTo(SstpPacketTracker.VERSION);
            assertThat(type).isEqualTo(((packet[4] & 0xFF) << 8) | (packet[5] & 0xFF));
            events.add("control " + type + " " + packetLength + " " + Arrays.toString(Arrays.copyOf(packet, length)));
        }

        @Override
        public void data() {
            events.add("data");
        }
    }
}

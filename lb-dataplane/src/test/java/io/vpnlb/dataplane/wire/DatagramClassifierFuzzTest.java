package io.vpnlb.dataplane.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of {@link DatagramClassifier} and {@link IkeHeaderFlyweight} on UDP 500 and 4500
 * datagrams. Seeds: the real strongSwan datagrams of {@code fixtures/strongswan-datagrams.txt}, in
 * {@code DatagramClassifierFuzzTestInputs/}.
 *
 * <p>Input: byte 0 selects the port (bit 0: NAT-T 4500) and how many bytes sit before the reader index (bits 1..3);
 * the rest is the datagram, in a pooled direct buffer exactly as large as the bytes, so that a read past the
 * datagram throws instead of reading stale memory.
 */
class DatagramClassifierFuzzTest {

    private final DatagramClassifier classifier = new DatagramClassifier();

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void classify(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean natT = (input[0] & 1) != 0;
        int prefix = Math.min((input[0] >>> 1) & 7, input.length - 1);
        int length = input.length - 1 - prefix;
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(input.length - 1, Math.max(input.length - 1, 1));
        try {
            buf.writeBytes(input, 1, input.length - 1).readerIndex(prefix);
            DatagramKind kind = classifier.classify(buf, natT);
            assertThat(buf.readerIndex()).isEqualTo(prefix);
            assertThat(buf.writerIndex()).isEqualTo(input.length - 1);
            assertThat(classifier.kind()).isEqualTo(kind);
            check(kind, buf, prefix, length, natT);
        } finally {
            classifier.clear();
            buf.release();
        }
        assertThat(buf.refCnt()).isZero();
    }

    private void check(DatagramKind kind, ByteBuf buf, int start, int length, boolean natT) {
        assertThat(kind).isNotEqualTo(DatagramKind.OPAQUE);
        assertThat(kind == DatagramKind.MALFORMED).isEqualTo(classifier.malformation() != null);
        switch (kind) {
            case IKE -> {
                int marker = natT ? DatagramClassifier.NON_ESP_MARKER_LENGTH : 0;
                if (natT) {
                    assertThat(buf.getInt(start)).isZero();
                }
                IkeHeaderFlyweight ike = classifier.ike();
                assertThat(ike.messageLength()).isEqualTo(length - marker);
                assertThat(ike.lengthField()).isEqualTo(length - marker);
                assertThat(ike.majorVersion()).isEqualTo(IkeHeaderFlyweight.MAJOR_VERSION_2);
                assertThat(ike.initiatorSpi()).isNotZero().isEqualTo(buf.getLong(start + marker));
                assertThat(ike.responderSpi()).isEqualTo(buf.getLong(start + marker + 8));
                assertThat(ike.messageId()).isBetween(0L, 0xFFFF_FFFFL);
                assertThat(classifier.isIkeFragment())
                        .isEqualTo(ike.nextPayload() == IkeHeaderFlyweight.PAYLOAD_ENCRYPTED_FRAGMENT);
                // The payload walk stays inside the message whatever the payload lengths say.
                ike.hasNotify(IkeHeaderFlyweight.NOTIFY_COOKIE);
                ike.hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED);
                ike.exchangeType();
                ike.isResponse();
                ike.isInitiator();
            }
            case ESP -> {
                assertThat(natT).isTrue();
                assertThat(length).isGreaterThanOrEqualTo(DatagramClassifier.ESP_HEADER_LENGTH);
                assertThat(classifier.espSpi()).isEqualTo(buf.getInt(start));
                assertThat(Integer.toUnsignedLong(classifier.espSpi()))
                        .isGreaterThanOrEqualTo(DatagramClassifier.MIN_ESP_SPI);
            }
            case KEEPALIVE -> {
                assertThat(natT).isTrue();
                assertThat(length).isEqualTo(1);
                assertThat(buf.getByte(start)).isEqualTo(DatagramClassifier.NAT_KEEPALIVE);
            }
            case MALFORMED -> assertThat(classifier.isIkeFragment()).isFalse();
            default -> throw new AssertionError(kind);
        }
    }
}

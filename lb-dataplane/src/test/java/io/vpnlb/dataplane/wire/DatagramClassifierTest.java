package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Datagram classification against byte vectors built from RFC 7296 (IKE header), RFC 3948 (UDP encapsulation:
 * keepalive, non-ESP marker, ESP) and RFC 7383 (Encrypted Fragment payload), one row per case as in a packet
 * fixture table.
 */
class DatagramClassifierTest {

    /** IKE_SA_INIT request: SPIi 0x0102030405060708, SPIr 0, next payload SA, v2.0, exchange 34, flags I. */
    static final String IKE_SA_INIT = "0102030405060708" + "0000000000000000" + "21" + "20" + "22" + "08"
            + "00000000" + "0000001c";
    /** IKE_AUTH fragment 2 of 10 (RFC 7383): next payload 53 (SKF), a generic header and the fragment numbers. */
    static final String IKE_AUTH_FRAGMENT = "0102030405060708" + "1112131415161718" + "35" + "20" + "23" + "08"
            + "00000001" + "00000028" + "27" + "00" + "000c" + "0002" + "000a" + "deadbeef";

    private final DatagramClassifier classifier = new DatagramClassifier();
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void release() {
        buffers.forEach(ByteBuf::release);
    }

    record Row(String description, boolean natT, String hex, DatagramKind kind, Malformation malformation) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Row> fixtures() {
        return Stream.of(
                new Row("IKE_SA_INIT on UDP 500", false, IKE_SA_INIT, DatagramKind.IKE, null),
                new Row("IKE_SA_INIT behind the non-ESP marker on UDP 4500", true, "00000000" + IKE_SA_INIT,
                        DatagramKind.IKE, null),
                new Row("IKE_AUTH fragment on UDP 4500", true, "00000000" + IKE_AUTH_FRAGMENT, DatagramKind.IKE, null),
                new Row("NAT keepalive", true, "ff", DatagramKind.KEEPALIVE, null),
                new Row("ESP: SPI 0xc0ffee01, sequence 1, payload", true, "c0ffee01" + "00000001" + "0102030405060708",
                        DatagramKind.ESP, null),
                new Row("ESP with the smallest SPI that is not reserved", true, "00000100" + "00000001",
                        DatagramKind.ESP, null),
                new Row("ESP with a reserved SPI (1..255)", true, "000000ff" + "00000001" + "00",
                        DatagramKind.MALFORMED, Malformation.RESERVED_ESP_SPI),
                new Row("ESP shorter than SPI and sequence", true, "c0ffee01" + "0000", DatagramKind.MALFORMED,
                        Malformation.TRUNCATED),
                new Row("0xFF keepalive on UDP 500 is no IKE", false, "ff", DatagramKind.MALFORMED,
                        Malformation.TRUNCATED),
                new Row("non-ESP marker on UDP 500 shifts the header: the version byte is wrong", false,
                        "00000000" + IKE_SA_INIT, DatagramKind.MALFORMED, Malformation.BAD_IKE_VERSION),
                new Row("empty datagram on UDP 4500", true, "", DatagramKind.MALFORMED, Malformation.TRUNCATED),
                new Row("two bytes on UDP 4500", true, "ffff", DatagramKind.MALFORMED, Malformation.TRUNCATED),
                new Row("truncated IKE header", false, IKE_SA_INIT.substring(0, 54), DatagramKind.MALFORMED,
                        Malformation.TRUNCATED),
                new Row("IKEv1 (major version 1)", false, IKE_SA_INIT.replace("21202208", "21102208"),
                        DatagramKind.MALFORMED, Malformation.BAD_IKE_VERSION),
                new Row("Length field longer than the datagram", false, IKE_SA_INIT.replace("0000001c", "0000001d"),
                        DatagramKind.MALFORMED, Malformation.IKE_LENGTH_MISMATCH),
                new Row("datagram longer than its Length field", false, IKE_SA_INIT + "00", DatagramKind.MALFORMED,
                        Malformation.IKE_LENGTH_MISMATCH),
                new Row("zero initiator SPI", false, "0000000000000000" + IKE_SA_INIT.substring(16),
                        DatagramKind.MALFORMED, Malformation.ZERO_IKE_SPI));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void classifies(Row row) {
        ByteBuf buf = buffer(row.hex());
        int readerIndex = buf.readerIndex();

        assertThat(classifier.classify(buf, row.natT())).isEqualTo(row.kind());

        assertThat(classifier.malformation()).isEqualTo(row.malformation());
        assertThat(buf.readerIndex()).isEqualTo(readerIndex);
        assertThat(buf.readableBytes()).isEqualTo(row.hex().length() / 2);
    }

    @Test
    void readsTheIkeHeaderFieldsInPlace() {
        ByteBuf buf = buffer("00000000" + IKE_AUTH_FRAGMENT);

        classifier.classify(buf, true);

        IkeHeaderFlyweight ike = classifier.ike();
        assertThat(ike.initiatorSpi()).isEqualTo(0x0102030405060708L);
        assertThat(ike.responderSpi()).isEqualTo(0x1112131415161718L);
        assertThat(ike.nextPayload()).isEqualTo(IkeHeaderFlyweight.PAYLOAD_ENCRYPTED_FRAGMENT);
        assertThat(ike.majorVersion()).isEqualTo(2);
        assertThat(ike.exchangeType()).isEqualTo(IkeHeaderFlyweight.EXCHANGE_IKE_AUTH);
        assertThat(ike.isInitiator()).isTrue();
        assertThat(ike.isResponse()).isFalse();
        assertThat(ike.messageId()).isEqualTo(1);
        assertThat(ike.lengthField()).isEqualTo(40);
        assertThat(classifier.isIkeFragment()).isTrue();
    }

    @Test
    void readsTheEspSpi() {
        classifier.classify(buffer("c0ffee01" + "00000001"), true);

        assertThat(classifier.espSpi()).isEqualTo(0xc0ffee01);
    }

    @Test
    void findsTheFragmentationNotifyInAnIkeSaInitResponse() {
        // Header (next payload SA) + SA (next Notify, 8 bytes) + Notify 16430 (next Notify) + Notify 16388 (last).
        String sa = "29" + "00" + "0008" + "00000000";
        String fragmentation = "29" + "00" + "0008" + "00" + "00" + "402e";
        String natDetection = "00" + "00" + "0008" + "00" + "00" + "4004";
        String body = sa + fragmentation + natDetection;
        String header = "0102030405060708" + "1112131415161718" + "21" + "20" + "22" + "20" + "00000000"
                + String.format("%08x", 28 + body.length() / 2);

        classifier.classify(buffer(header + body), false);

        assertThat(classifier.ike().hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED)).isTrue();
        assertThat(classifier.ike().hasNotify(IkeHeaderFlyweight.NOTIFY_COOKIE)).isFalse();
        assertThat(classifier.ike().isResponse()).isTrue();
    }

    @Test
    void aPayloadLengthPastTheEndStopsTheWalk() {
        String notify = "00" + "00" + "00ff" + "00" + "00" + "402e";
        String header = "0102030405060708" + "1112131415161718" + "29" + "20" + "22" + "20" + "00000000"
                + String.format("%08x", 28 + notify.length() / 2);

        classifier.classify(buffer(header + notify), false);

        assertThat(classifier.ike().hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED)).isFalse();
    }

    /** Random and mutated datagrams: classification never throws and never moves the buffer's indices. */
    @Test
    void randomAndMutatedBytesNeverThrow() {
        Random random = new Random(7296);
        byte[][] seeds = {HexFormat.of().parseHex(IKE_SA_INIT), HexFormat.of().parseHex("00000000" + IKE_AUTH_FRAGMENT),
                HexFormat.of().parseHex("c0ffee0100000001")};
        for (int i = 0; i < 200_000; i++) {
            byte[] data;
            if (i % 2 == 0) {
                data = new byte[random.nextInt(64)];
                random.nextBytes(data);
            } else {
                byte[] seed = seeds[random.nextInt(seeds.length)];
                data = java.util.Arrays.copyOf(seed, Math.max(0, seed.length + random.nextInt(9) - 4));
                for (int flips = random.nextInt(4); flips >= 0 && data.length > 0; flips--) {
                    data[random.nextInt(data.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            try {
                DatagramKind kind = classifier.classify(buf, random.nextBoolean());
                if (kind == DatagramKind.IKE) {
                    classifier.ike().hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED);
                    assertThat(classifier.ike().lengthField()).isEqualTo(classifier.ike().messageLength());
                }
                assertThat(buf.readerIndex()).isZero();
                assertThat(kind == DatagramKind.MALFORMED).isEqualTo(classifier.malformation() != null);
            } finally {
                buf.release();
            }
        }
    }

    private ByteBuf buffer(String hex) {
        // An offset reader index checks that offsets are relative to it, not to the start of the buffer.
        byte[] bytes = HexFormat.of().parseHex(hex);
        ByteBuf buf = Unpooled.buffer(bytes.length + 3);
        buf.writeBytes(new byte[] {9, 9, 9});
        buf.writeBytes(bytes);
        buf.readerIndex(3);
        buffers.add(buf);
        return buf;
    }
}

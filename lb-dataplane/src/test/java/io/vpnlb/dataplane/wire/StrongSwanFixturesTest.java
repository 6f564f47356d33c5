package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Classification of real datagrams captured from strongSwan 5.9.8 through vpnlb (see the header of
 * {@code fixtures/strongswan-datagrams.txt} for how they were captured), and of mutations of them.
 */
class StrongSwanFixturesTest {

    record Fixture(String name, int port, String direction, byte[] bytes) {
    }

    private static Map<String, Fixture> fixtures() throws IOException {
        Map<String, Fixture> fixtures = new LinkedHashMap<>();
        try (InputStream in = StrongSwanFixturesTest.class.getResourceAsStream("/fixtures/strongswan-datagrams.txt")) {
            assertThat(in).as("fixtures/strongswan-datagrams.txt on the test classpath").isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.strip().split("\\|");
                fixtures.put(fields[0], new Fixture(fields[0], Integer.parseInt(fields[1]), fields[2],
                        HexFormat.of().parseHex(fields[3])));
            }
        }
        return fixtures;
    }

    private static DatagramClassifier classify(Fixture fixture, ByteBuf buf) {
        DatagramClassifier classifier = new DatagramClassifier();
        classifier.classify(buf, fixture.port() == 4500);
        return classifier;
    }

    @Test
    void everyCapturedDatagramIsClassifiedAsWhatItIs() throws IOException {
        Map<String, Fixture> fixtures = fixtures();
        assertThat(fixtures).containsOnlyKeys("ike_sa_init_request", "ike_sa_init_response",
                "ike_auth_fragment_request", "ike_auth_fragment_response", "nat_keepalive", "esp_in_udp_request",
                "esp_in_udp_reply");
        List<ByteBuf> buffers = new ArrayList<>();
        try {
            long spiI = 0;
            long spiR = 0;
            for (Fixture fixture : fixtures.values()) {
                ByteBuf buf = Unpooled.wrappedBuffer(fixture.bytes());
                buffers.add(buf);
                DatagramClassifier datagram = classify(fixture, buf);
                String name = fixture.name();
                if (name.startsWith("ike_")) {
                    assertThat(datagram.kind()).as(name).isEqualTo(DatagramKind.IKE);
                    IkeHeaderFlyweight ike = datagram.ike();
                    assertThat(ike.lengthField()).as(name).isEqualTo(ike.messageLength());
                    assertThat(ike.isResponse()).as(name).isEqualTo(name.endsWith("_response"));
                    assertThat(datagram.isIkeFragment()).as(name).isEqualTo(name.contains("fragment"));
                    if (name.equals("ike_sa_init_request")) {
                        spiI = ike.initiatorSpi();
                        assertThat(ike.responderSpi()).isZero();
                        assertThat(ike.exchangeType()).isEqualTo(IkeHeaderFlyweight.EXCHANGE_IKE_SA_INIT);
                        assertThat(ike.hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED)).isTrue();
                    } else if (name.equals("ike_sa_init_response")) {
                        assertThat(ike.initiatorSpi()).isEqualTo(spiI);
                        spiR = ike.responderSpi();
                        assertThat(spiR).isNotZero();
                        // The servers run with fragmentation = yes: the answer offers it (RFC 7383).
                        assertThat(ike.hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED)).isTrue();
                    } else {
                        assertThat(ike.initiatorSpi()).isEqualTo(spiI);
                        assertThat(ike.responderSpi()).isEqualTo(spiR);
                        assertThat(ike.exchangeType()).isEqualTo(IkeHeaderFlyweight.EXCHANGE_IKE_AUTH);
                    }
                } else if (name.equals("nat_keepalive")) {
                    assertThat(datagram.kind()).isEqualTo(DatagramKind.KEEPALIVE);
                } else {
                    assertThat(datagram.kind()).as(name).isEqualTo(DatagramKind.ESP);
                    assertThat(datagram.espSpi()).isEqualTo(buf.getInt(0));
                }
            }
        } finally {
            buffers.forEach(ByteBuf::release);
        }
    }

    /** Truncations, extensions and bit flips of the real datagrams: nothing throws, indices never move. */
    @Test
    void mutatedRealDatagramsNeverThrow() throws IOException {
        List<Fixture> fixtures = new ArrayList<>(fixtures().values());
        Random random = new Random(4555);
        for (int i = 0; i < 50_000; i++) {
            Fixture fixture = fixtures.get(random.nextInt(fixtures.size()));
            byte[] original = fixture.bytes();
            byte[] data = Arrays.copyOf(original, Math.max(0, original.length + random.nextInt(17) - 12));
            for (int flips = random.nextInt(3); flips >= 0 && data.length > 0; flips--) {
                data[random.nextInt(data.length)] ^= (byte) (1 << random.nextInt(8));
            }
            ByteBuf buf = Unpooled.wrappedBuffer(data);
            try {
                DatagramClassifier datagram = classify(fixture, buf);
                if (datagram.kind() == DatagramKind.IKE) {
                    datagram.ike().hasNotify(IkeHeaderFlyweight.NOTIFY_IKEV2_FRAGMENTATION_SUPPORTED);
                    assertThat(datagram.ike().lengthField()).isEqualTo(datagram.ike().messageLength());
                }
                assertThat(buf.readerIndex()).isZero();
                assertThat(buf.readableBytes()).isEqualTo(data.length);
            } finally {
                buf.release();
            }
        }
    }
}

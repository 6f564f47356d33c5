package io.vpnlb.dataplane.select;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins {@link ClientHash} to XXH64 with seed 0. The string vectors are the published ones (xxHash's own
 * sanity value for the empty input, python-xxhash's documentation for the 39-byte sentence); the address
 * vectors were computed with an independent XXH64 (aircompressor's {@code XxHash64}). They must never change:
 * vpnlb instances of different versions must agree on them.
 */
class ClientHashTest {

    private static long xxh64(String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return ClientHash.xxh64(bytes, 0, bytes.length, ClientHash.SEED);
    }

    @Test
    void xxh64MatchesPublishedVectors() {
        assertThat(xxh64("")).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(xxh64("a")).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(xxh64("abc")).isEqualTo(0x44BC2CF5AD770999L);
        // 39 and 43 bytes: the 32-byte stripe loop, the 8-byte, 4-byte and 1-byte tails.
        assertThat(xxh64("Nobody inspects the spammish repetition")).isEqualTo(0xFBCEA83C8A378BF1L);
        assertThat(xxh64("The quick brown fox jumps over the lazy dog")).isEqualTo(0x0B242D361FDA71BCL);
    }

    @Test
    void xxh64HonoursSeedOffsetAndLength() {
        final byte[] framed = "__The quick brown fox jumps over the lazy dog__".getBytes(StandardCharsets.US_ASCII);
        assertThat(ClientHash.xxh64(framed, 2, framed.length - 4, 0L)).isEqualTo(0x0B242D361FDA71BCL);
        assertThat(ClientHash.xxh64(framed, 2, framed.length - 4, 1L)).isEqualTo(0xDF5091B6DAD2C6DBL);
    }

    @Test
    void hashesIpv4AddressBytes() {
        assertThat(ClientHash.hash(new byte[] {(byte) 192, 0, 2, 1})).isEqualTo(0x9C3163F48C1ED6FFL);
        assertThat(ClientHash.hash(new byte[] {10, 0, 0, 1})).isEqualTo(0x49563B5083B99AFFL);
        assertThat(ClientHash.hash(new byte[] {0, 0, 0, 0})).isEqualTo(0x3AEFA6FD5CF2DEB4L);
        assertThat(ClientHash.hash(new byte[] {-1, -1, -1, -1})).isEqualTo(0x7F78E4BDA3ADDF93L);
    }

    @Test
    void hashesIpv4Int() {
        assertThat(ClientHash.hashIpv4(0xC0000201)).isEqualTo(0x9C3163F48C1ED6FFL); // 192.0.2.1
        assertThat(ClientHash.hashIpv4(0x0A000001)).isEqualTo(0x49563B5083B99AFFL); // 10.0.0.1
        assertThat(ClientHash.hashIpv4(0)).isEqualTo(0x3AEFA6FD5CF2DEB4L);
        assertThat(ClientHash.hashIpv4(0xFFFFFFFF)).isEqualTo(0x7F78E4BDA3ADDF93L);
    }

    @Test
    void hashIpv4EqualsHashOfNetworkOrderBytes() {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[] bytes = new byte[4];
        for (int n = 0; n < 100_000; n++) {
            final int address = random.nextInt();
            bytes[0] = (byte) (address >>> 24);
            bytes[1] = (byte) (address >>> 16);
            bytes[2] = (byte) (address >>> 8);
            bytes[3] = (byte) address;
            assertThat(ClientHash.hashIpv4(address)).isEqualTo(ClientHash.hash(bytes));
        }
    }

    @Test
    void hashesIpv6AddressBytes() {
        final byte[] documentation = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        assertThat(ClientHash.hash(documentation)).isEqualTo(0x97F11E0685F67AE8L); // 2001:db8::1
        assertThat(ClientHash.hash(new byte[16])).isEqualTo(0xAF09F71516247C32L); // ::
    }
}

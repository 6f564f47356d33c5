package io.vpnlb.dataplane.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the ClientHello / ServerHello peek. Seeds: ClientHellos captured from openssl s_client
 * (TLS 1.3, TLS 1.2, no SNI), curl and the JDK's TLS client, and ServerHellos from openssl s_server, in
 * {@code TlsHelloFlyweightFuzzTestInputs/}.
 *
 * <p>Input: byte 0 bit 0 selects the message (0 ClientHello, 1 ServerHello); the rest is what the connection
 * received, in a pooled direct buffer exactly as large as the bytes (a read past them throws). Besides "no
 * exception", the peek must read the first record only: a hello reads the same with bytes after its record, and
 * any cut inside its record asks for more.
 */
class TlsHelloFlyweightFuzzTest {

    private final TlsHelloFlyweight hello = new TlsHelloFlyweight();

    /** What one peek found. */
    private record Peek(TlsHelloFlyweight.Result result, byte[] sessionId, String serverName, int selectedVersion,
                        int legacyVersion) {
    }

    @FuzzTest(maxDuration = "20s")
    @Timeout(10)
    void peek(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte type = (input[0] & 1) == 0 ? TlsHelloFlyweight.HANDSHAKE_CLIENT_HELLO
                : TlsHelloFlyweight.HANDSHAKE_SERVER_HELLO;
        byte[] bytes = Arrays.copyOfRange(input, 1, input.length);
        Peek full = peek(bytes, bytes.length, type);
        if (full.result() != TlsHelloFlyweight.Result.HELLO) {
            return;
        }
        int recordEnd = TlsHelloFlyweight.RECORD_HEADER_LENGTH + ((bytes[3] & 0xFF) << 8 | (bytes[4] & 0xFF));
        assertThat(recordEnd).isLessThanOrEqualTo(bytes.length);
        // Only the first record counts: cut right after it, the hello reads the same.
        assertThat(peek(bytes, recordEnd, type)).usingRecursiveComparison().isEqualTo(full);
        // Cut anywhere inside it, the peek waits for more.
        int cut = Math.floorMod(Arrays.hashCode(bytes), recordEnd);
        assertThat(peek(bytes, cut, type).result()).isEqualTo(TlsHelloFlyweight.Result.NEED_MORE);
    }

    private Peek peek(byte[] bytes, int length, byte type) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(length, Math.max(length, 1));
        try {
            buf.writeBytes(bytes, 0, length);
            TlsHelloFlyweight.Result result = hello.wrap(buf, type);
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.writerIndex()).isEqualTo(length);
            if (result != TlsHelloFlyweight.Result.HELLO) {
                return new Peek(result, null, null, 0, 0);
            }
            byte[] sessionId = hello.sessionId();
            assertThat(sessionId).hasSize(hello.sessionIdLength());
            assertThat(hello.sessionIdLength()).isBetween(0, TlsHelloFlyweight.MAX_SESSION_ID_LENGTH);
            String serverName = hello.serverName();
            assertThat(serverName != null).isEqualTo(hello.hasServerName());
            if (serverName != null) {
                assertThat(type).isEqualTo(TlsHelloFlyweight.HANDSHAKE_CLIENT_HELLO);
                assertThat(serverName.length()).isLessThan(TlsHelloFlyweight.MAX_RECORD_LENGTH);
            }
            if (hello.selectedVersion() != 0) {
                assertThat(type).isEqualTo(TlsHelloFlyweight.HANDSHAKE_SERVER_HELLO);
            }
            assertThat(hello.legacyVersion()).isBetween(0, 0xFFFF);
            return new Peek(result, sessionId, serverName, hello.selectedVersion(), hello.legacyVersion());
        } finally {
            hello.unwrap();
            buf.release();
        }
    }
}

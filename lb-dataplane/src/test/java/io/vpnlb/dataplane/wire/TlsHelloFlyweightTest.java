package io.vpnlb.dataplane.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vpnlb.config.cert.CertificateFixtures;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.vpnlb.dataplane.wire.TlsHelloFlyweight.HANDSHAKE_CLIENT_HELLO;
import static io.vpnlb.dataplane.wire.TlsHelloFlyweight.HANDSHAKE_SERVER_HELLO;
import static org.assertj.core.api.Assertions.assertThat;

class TlsHelloFlyweightTest {

    private final TlsHelloFlyweight hello = new TlsHelloFlyweight();

    private static byte[] clientHello(String sni, String... protocols) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = sni == null ? context.createSSLEngine() : context.createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols);
        if (sni != null) {
            parameters.setServerNames(List.of(new SNIHostName(sni)));
        }
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    @Test
    void readsSniFromARealTls13ClientHello() throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(clientHello("sstp.vpn.test", "TLSv1.3", "TLSv1.2"));
        try {
            int reader = buf.readerIndex();
            assertThat(hello.wrap(buf, HANDSHAKE_CLIENT_HELLO)).isEqualTo(TlsHelloFlyweight.Result.HELLO);
            assertThat(hello.serverName()).isEqualTo("sstp.vpn.test");
            // TLS 1.3 clients send a random 32-byte legacy session ID (middlebox compatibility).
            assertThat(hello.sessionIdLength()).isEqualTo(32);
            assertThat(hello.legacyVersion()).isEqualTo(0x0303);
            assertThat(buf.readerIndex()).isEqualTo(reader);
        } finally {
            hello.unwrap();
            buf.release();
        }
    }

    @Test
    void tls12ClientHelloWithoutSniHasNoSessionIdAtFirst() throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(clientHello(null, "TLSv1.2"));
        try {
            assertThat(hello.wrap(buf, HANDSHAKE_CLIENT_HELLO)).isEqualTo(TlsHelloFlyweight.Result.HELLO);
            assertThat(hello.hasServerName()).isFalse();
            assertThat(hello.serverName()).isNull();
            assertThat(hello.sessionIdLength()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void everyPrefixNeedsMoreAndNeverThrows() throws Exception {
        byte[] bytes = clientHello("vpn.test", "TLSv1.3", "TLSv1.2");
        for (int length = 0; length < bytes.length; length++) {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes, 0, length);
            try {
                assertThat(hello.wrap(buf, HANDSHAKE_CLIENT_HELLO)).as("prefix %d", length)
                        .isEqualTo(TlsHelloFlyweight.Result.NEED_MORE);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void hostileInputIsClassifiedNeverThrown() throws Exception {
        byte[] bytes = clientHello("vpn.test", "TLSv1.3", "TLSv1.2");
        Random random = new Random(7);
        int[] outcomes = new int[TlsHelloFlyweight.Result.values().length];
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = Arrays.copyOf(bytes, bytes.length);
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                mutated[random.nextInt(Math.min(mutated.length, 120))] = (byte) random.nextInt(256);
            }
            ByteBuf buf = Unpooled.wrappedBuffer(mutated, 0, random.nextInt(mutated.length + 1));
            try {
                TlsHelloFlyweight.Result result = hello.wrap(buf, HANDSHAKE_CLIENT_HELLO);
                outcomes[result.ordinal()]++;
                if (result == TlsHelloFlyweight.Result.HELLO) {
                    assertThat(hello.sessionIdLength()).isBetween(0, 32);
                    hello.sessionId();
                    hello.serverName();
                }
            } finally {
                buf.release();
            }
        }
        assertThat(outcomes[TlsHelloFlyweight.Result.MALFORMED.ordinal()]).isPositive();
        assertThat(outcomes[TlsHelloFlyweight.Result.NOT_TLS.ordinal()]).isPositive();
    }

    @Test
    void notTlsAndWrongTypes() {
        ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuf oversized = Unpooled.wrappedBuffer(new byte[] {22, 3, 1, (byte) 0x48, 0, 1});
        ByteBuf serverHelloExpected = Unpooled.wrappedBuffer(new byte[] {22, 3, 3, 0, 4, 1, 0, 0, 0});
        try {
            assertThat(hello.wrap(http, HANDSHAKE_CLIENT_HELLO)).isEqualTo(TlsHelloFlyweight.Result.NOT_TLS);
            assertThat(hello.wrap(oversized, HANDSHAKE_CLIENT_HELLO)).isEqualTo(TlsHelloFlyweight.Result.MALFORMED);
            assertThat(hello.wrap(serverHelloExpected, HANDSHAKE_SERVER_HELLO))
                    .isEqualTo(TlsHelloFlyweight.Result.MALFORMED);
        } finally {
            http.release();
            oversized.release();
            serverHelloExpected.release();
        }
    }

    @Test
    void readsTheSessionIdOfARealTls12ServerHello() throws Exception {
        CertificateFixtures.Issued certificate = CertificateFixtures.selfSigned("vpn.test");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("k", certificate.keys().getPrivate(), "pw".toCharArray(),
                new java.security.cert.Certificate[] {certificate.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "pw".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        SSLEngine server = serverContext.createSSLEngine();
        server.setUseClientMode(false);
        server.setEnabledProtocols(new String[] {"TLSv1.2"});
        server.beginHandshake();
        byte[] clientHello = clientHello("vpn.test", "TLSv1.2");
        ByteBuffer in = ByteBuffer.wrap(clientHello);
        ByteBuffer app = ByteBuffer.allocate(server.getSession().getApplicationBufferSize());
        server.unwrap(in, app);
        while (server.getHandshakeStatus() == javax.net.ssl.SSLEngineResult.HandshakeStatus.NEED_TASK) {
            server.getDelegatedTask().run();
        }
        ByteBuffer out = ByteBuffer.allocate(server.getSession().getPacketBufferSize());
        server.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        ByteBuf buf = Unpooled.wrappedBuffer(out);
        try {
            assertThat(hello.wrap(buf, HANDSHAKE_SERVER_HELLO)).isEqualTo(TlsHelloFlyweight.Result.HELLO);
            assertThat(hello.sessionIdLength()).isEqualTo(32);
            assertThat(hello.selectedVersion()).isZero();
        } finally {
            buf.release();
        }
    }
}

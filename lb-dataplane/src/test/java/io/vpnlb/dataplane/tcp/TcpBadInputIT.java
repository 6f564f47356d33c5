package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input on an sstp listener, on every transport. Each case ends with a clean close and its counted reason while
 * a good SSTP session on the same listener, opened before, still passes data both ways afterwards, and a new
 * connection is still served (no event loop is stuck). Leaked buffers fail the run (paranoid leak detection).
 * Garbage instead of a ClientHello is covered by SstpTerminateIT (terminate) and TcpProxyIT (passthrough).
 */
class TcpBadInputIT {

    private static final Duration IDLE = Duration.ofMinutes(1);
    /** Beyond vpnlb's handshake and request timeouts (10 s each), for waits that end with one of them. */
    private static final Duration TIMEOUTS = Duration.ofSeconds(30);
    private static final String REQUEST_LINE = SstpTestMember.REQUEST_LINE + "\r\n";
    private static final byte[] CALL_CONNECT_REQUEST = {0x10, 0x01, 0, 14, 0, 1, 0, 1, 0, 1, 0, 6, 0, 1};

    @TempDir
    static Path dir;
    private static Path pem;
    private static byte[] vpnlbSha256;
    private static CertificateFixtures.Issued memberCertificate;
    private static byte[] memberSha256;

    /**
     * One kind of bad input: an HTTP request (answered with {@code status} and closed), or SSTP bytes after a
     * valid request (the session is closed, right away or when the client ends its stream: {@code thenClose}).
     */
    record Case(String name, String request, String status, byte[] sstp, boolean thenClose, TcpDropReason reason) {

        static Case http(String name, String request, String status, TcpDropReason reason) {
            return new Case(name, request, status, null, false, reason);
        }

        static Case sstp(String name, byte[] packets, boolean thenClose) {
            return new Case(name, null, null, packets, thenClose, TcpDropReason.SSTP_MALFORMED);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        String sstp = REQUEST_LINE + "Host: vpn.test\r\n";
        byte[] attributePastEnd = CALL_CONNECT_REQUEST.clone();
        attributePastEnd[10] = 0x0F; // the attribute claims 0xF06 bytes in a 14-byte packet
        byte[] badVersion = CALL_CONNECT_REQUEST.clone();
        badVersion[0] = 0x20;
        byte[] longData = {0x10, 0x00, 0x03, (byte) 0xE8, 'o', 'n', 'l', 'y', ' ', 't', 'h', 'i', 's'};
        return List.of(
                Case.http("headers over the limit, never ended",
                        sstp + "X-Filler: " + "a".repeat(SstpInspectionHandler.MAX_REQUEST_HEADER_BYTES + 100),
                        "HTTP/1.1 431 ", TcpDropReason.HTTP_HEADER_TOO_LARGE),
                Case.http("two Content-Length headers",
                        sstp + "Content-Length: 18446744073709551615\r\nContent-Length: 0\r\n\r\n",
                        "HTTP/1.1 400 ", TcpDropReason.HTTP_REQUEST_SMUGGLING),
                Case.http("Transfer-Encoding and Content-Length",
                        sstp + "Transfer-Encoding: chunked\r\nContent-Length: 18446744073709551615\r\n\r\n",
                        "HTTP/1.1 400 ", TcpDropReason.HTTP_REQUEST_SMUGGLING),
                Case.http("Transfer-Encoding with a space before the colon",
                        sstp + "Transfer-Encoding : chunked\r\n\r\n",
                        "HTTP/1.1 400 ", TcpDropReason.HTTP_REQUEST_SMUGGLING),
                Case.http("Content-Length that is not a number",
                        sstp + "Content-Length: +18446744073709551615\r\n\r\n",
                        "HTTP/1.1 400 ", TcpDropReason.HTTP_REQUEST_SMUGGLING),
                Case.http("folded header line",
                        sstp + "X-Note: a\r\n\tcontinued: b\r\n\r\n",
                        "HTTP/1.1 400 ", TcpDropReason.HTTP_BAD_REQUEST),
                Case.sstp("truncated control packet, then close", java.util.Arrays.copyOf(CALL_CONNECT_REQUEST, 6),
                        true),
                Case.sstp("data packet length beyond what follows, then close", longData, true),
                Case.sstp("control attribute length beyond its packet", attributePastEnd, false),
                Case.sstp("bad version", badVersion, false));
    }

    static List<Arguments> casesOnTransports() {
        List<Arguments> all = new ArrayList<>();
        for (Case c : cases()) {
            for (NetTransport transport : NetTransport.available()) {
                all.add(Arguments.of(c, transport));
            }
        }
        return all;
    }

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @BeforeAll
    static void certificates() throws Exception {
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        pem = CertificateFixtures.pemFile(dir, "vpn.pem", chain);
        vpnlbSha256 = MessageDigest.getInstance("SHA-256").digest(chain.leaf().certificate().getEncoded());
        memberCertificate = CertificateFixtures.selfSigned("member.vpn.test");
        memberSha256 = MessageDigest.getInstance("SHA-256").digest(memberCertificate.certificate().getEncoded());
    }

    private static TlsConfig terminate() {
        return new TlsConfig(TlsMode.TERMINATE, pem.toString(), null);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("casesOnTransports")
    void badInputIsClosedAndCountedWhileOtherSessionsFlow(Case bad, NetTransport transport) throws Exception {
        SSLContext client = TcpProxyIT.trustAll();
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE, new int[] {member.port()});
             SstpTestClient.Session good = SstpTestClient.Session.open(client, lb.address())) {
            assertThat(good.echoes("before")).isTrue();
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(lb.address().getAddress(),
                    lb.address().getPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                if (bad.request() != null) {
                    out.write(bad.request().getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    // The whole answer, then the end of the stream.
                    String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                    assertThat(answer).startsWith(bad.status()).contains("Connection: close\r\n");
                } else {
                    out.write(String.format(SstpTestClient.REQUEST, "bad").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    assertThat(SstpTestMember.readHead(in)).startsWith("HTTP/1.1 200");
                    out.write(bad.sstp());
                    out.flush();
                    if (!bad.thenClose()) {
                        assertThat(in.read()).isEqualTo(-1);
                    }
                }
            }
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                for (TcpDropReason reason : TcpDropReason.values()) {
                    assertThat(counters.drops(reason)).as(reason.metricName())
                            .isEqualTo(reason == bad.reason() ? 1 : 0);
                }
                assertThat(counters.closed()).isEqualTo(1);
                assertThat(lb.activeSessions()).isEqualTo(1);
                assertThat(lb.members.get(0).stats().activeSessions()).isEqualTo(1);
            });
            assertThat(member.connections.get()).isEqualTo(bad.request() == null ? 2 : 1);
            // The other session still passes data both ways, and a new one is served.
            assertThat(good.echoes("after " + bad.name())).isTrue();
            assertThat(SstpTestClient.run(client, lb.address()).echoed()).isTrue();
        }
    }

    /**
     * Clients that send one byte at a time and never finish: a TLS handshake (terminate and passthrough) and an SSTP
     * request after a completed handshake (terminate). Each is closed when its timeout expires and counted, while a
     * good session on each listener keeps flowing.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void slowClientsAreClosedByTheHandshakeAndRequestTimeouts(NetTransport transport) throws Exception {
        SSLContext client = TcpProxyIT.trustAll();
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             BlockingMember tlsMember = SstpTestMember.startTls("rras-tls", memberSha256,
                     TcpProxyIT.serverContext(memberCertificate));
             TcpFixture terminating = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE,
                     new int[] {member.port()});
             TcpFixture passing = new TcpFixture(transport, ServiceType.SSTP,
                     new TlsConfig(TlsMode.PASSTHROUGH, null, null), IDLE, new int[] {tlsMember.port()});
             SstpTestClient.Session goodTerminated = SstpTestClient.Session.open(client, terminating.address());
             SstpTestClient.Session goodPassed = SstpTestClient.Session.open(client, passing.address())) {
            byte[] hello = clientHello();
            SlowClient slowRequest = SlowClient.tls(client, terminating.address(), pacer,
                    (REQUEST_LINE + "X-Never-Ending: " + "a".repeat(1000)).getBytes(StandardCharsets.US_ASCII));
            SlowClient slowHandshake = SlowClient.plain(terminating.address(), pacer, hello);
            SlowClient slowHello = SlowClient.plain(passing.address(), pacer, hello);

            assertThat(slowRequest.answer()).startsWith("HTTP/1.1 408 Request Timeout\r\n");
            assertThat(slowHandshake.answer()).doesNotContain("HTTP/");
            assertThat(slowHello.answer()).isEmpty();
            await().atMost(TIMEOUTS).untilAsserted(() -> {
                assertThat(terminating.counters().drops(TcpDropReason.HTTP_REQUEST_TIMEOUT)).isEqualTo(1);
                assertThat(terminating.counters().drops(TcpDropReason.HELLO_TIMEOUT)).isEqualTo(1);
                assertThat(terminating.counters().closed()).isEqualTo(2);
                assertThat(passing.counters().drops(TcpDropReason.HELLO_TIMEOUT)).isEqualTo(1);
                assertThat(passing.counters().closed()).isEqualTo(1);
            });
            assertThat(member.connections.get()).isEqualTo(1);
            assertThat(tlsMember.connections.get()).isEqualTo(1);
            assertThat(goodTerminated.echoes("after the slow clients")).isTrue();
            assertThat(goodPassed.echoes("after the slow clients")).isTrue();
            assertThat(SstpTestClient.run(client, terminating.address()).echoed()).isTrue();
            assertThat(SstpTestClient.run(client, passing.address()).echoed()).isTrue();
        } finally {
            pacer.shutdownNow();
        }
    }

    /** A ClientHello as a TLS client sends it (one record). */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = TcpProxyIT.trustAll().createSSLEngine("vpn.test", 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /**
     * A client that writes {@code bytes} one per second, half a second out of step with vpnlb's 10-second timeouts
     * (a byte arriving as vpnlb closes would turn its FIN into a reset), never all of them before the timeout, and
     * reads what comes back until the end of the stream.
     */
    private static final class SlowClient {

        private final Socket socket;
        private final CompletableFuture<String> answer = new CompletableFuture<>();
        private final ScheduledFuture<?> writer;
        private int next;

        private SlowClient(Socket socket, ScheduledExecutorService pacer, byte[] bytes) throws IOException {
            this.socket = socket;
            socket.setSoTimeout((int) TIMEOUTS.toMillis());
            Thread reader = new Thread(this::read, "slow-client-reader");
            reader.setDaemon(true);
            reader.start();
            OutputStream out = socket.getOutputStream();
            writer = pacer.scheduleAtFixedRate(() -> {
                if (answer.isDone() || next == bytes.length) {
                    throw new IllegalStateException("done"); // ends the schedule
                }
                try {
                    out.write(bytes[next++]);
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, 500, 1000, TimeUnit.MILLISECONDS);
        }

        static SlowClient plain(InetSocketAddress address, ScheduledExecutorService pacer, byte[] bytes)
                throws IOException {
            return new SlowClient(new Socket(address.getAddress(), address.getPort()), pacer, bytes);
        }

        static SlowClient tls(SSLContext context, InetSocketAddress address, ScheduledExecutorService pacer,
                               byte[] bytes) throws IOException {
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                    address.getPort());
            socket.startHandshake();
            return new SlowClient(socket, pacer, bytes);
        }

        private void read() {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try (socket) {
                socket.getInputStream().transferTo(received);
                answer.complete(received.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                answer.completeExceptionally(e);
            }
        }

        /** What vpnlb sent before it closed the connection (fails if the connection did not end cleanly). */
        String answer() throws Exception {
            try {
                return answer.get(TIMEOUTS.toSeconds(), TimeUnit.SECONDS);
            } finally {
                writer.cancel(false);
            }
        }
    }
}

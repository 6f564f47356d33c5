package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The TCP proxy on loopback, on every transport this machine has. */
public class TcpProxyIT {

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    private static final Duration IDLE = Duration.ofMinutes(1);

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("transports")
    void forwardsBothWaysAndPassesHalfCloseOn(NetTransport transport) throws Exception {
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP, null, IDLE, new int[] {member.port()});
             Socket client = connect(lb.address())) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            byte[] hello = client.getInputStream().readNBytes(5);
            assertThat(new String(hello, StandardCharsets.US_ASCII)).isEqualTo("hello");
            client.shutdownOutput();
            // The member sees our FIN, answers after it, and the stream then ends: half-close both ways.
            assertThat(new String(readAll(client.getInputStream()), StandardCharsets.US_ASCII)).isEqualTo("bye-from-a");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(lb.counters().closed()).isEqualTo(1);
                assertThat(lb.members.get(0).stats().activeSessions()).isZero();
                assertThat(lb.activeSessions()).isZero();
            });
            TcpCounters counters = lb.counters();
            assertThat(counters.accepted()).isEqualTo(1);
            assertThat(counters.opened()).isEqualTo(1);
            assertThat(counters.clientHalfCloses()).isEqualTo(1);
            assertThat(counters.memberHalfCloses()).isEqualTo(1);
            assertThat(counters.rxBytes()).isEqualTo(5);
            assertThat(counters.txBytes()).isEqualTo(5 + "bye-from-a".length());
            assertThat(lb.members.get(0).stats().selections()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void eightMegabytesArriveIntactWithBackpressure(NetTransport transport) throws Exception {
        byte[] payload = new byte[8 << 20];
        new Random(42).nextBytes(payload);
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP, null, IDLE, new int[] {member.port()});
             Socket client = connect(lb.address())) {
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(payload);
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // the reader's assertion reports it
                }
            });
            writer.start();
            byte[] back = readAll(client.getInputStream());
            writer.join(10_000);
            assertThat(back.length).isEqualTo(payload.length + "bye-from-a".length());
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(back, 0, payload.length);
            assertThat(sha.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(payload));
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void refusedMemberIsRetriedOnAnotherBeforeAnyByte(NetTransport transport) throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        try (BlockingMember member = BlockingMember.echo("b");
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP, null, IDLE,
                     new int[] {closedPort, member.port()});
             Socket client = connect(lb.address())) {
            client.getOutputStream().write("x".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(readAll(client.getInputStream()), StandardCharsets.US_ASCII)).isEqualTo("xbye-from-b");
            assertThat(lb.counters().connectRetries()).isEqualTo(1);
            assertThat(lb.members.get(0).stats().selections()).isZero();
            assertThat(lb.members.get(1).stats().selections()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void noMemberAcceptingClosesTheClientAndCountsIt(NetTransport transport) throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        try (TcpFixture lb = new TcpFixture(transport, ServiceType.TCP, null, IDLE, new int[] {closedPort});
             Socket client = connect(lb.address())) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().untilAsserted(() -> assertThat(lb.counters().drops(TcpDropReason.CONNECT_FAILED)).isEqualTo(1));
            assertThat(lb.activeSessions()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void idleSessionsAreClosed(NetTransport transport) throws Exception {
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP, null, Duration.ofMillis(300),
                     new int[] {member.port()});
             Socket client = connect(lb.address())) {
            client.getOutputStream().write('x');
            assertThat(client.getInputStream().read()).isEqualTo('x');
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().untilAsserted(() -> {
                assertThat(lb.counters().drops(TcpDropReason.IDLE_TIMEOUT)).isEqualTo(1);
                assertThat(lb.members.get(0).stats().activeSessions()).isZero();
            });
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void sessionLimitRefusesBeyondMaxSessions(NetTransport transport) throws Exception {
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.TCP, null, IDLE, new int[] {member.port()}, 1);
             Socket first = connect(lb.address())) {
            first.getOutputStream().write('1');
            assertThat(first.getInputStream().read()).isEqualTo('1');
            try (Socket second = connect(lb.address())) {
                assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
            await().untilAsserted(() -> assertThat(lb.counters().drops(TcpDropReason.SESSION_LIMIT)).isEqualTo(1));
        }
    }

    // ---- tls.mode passthrough --------------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("transports")
    void passthroughReadsSniAndFollowsTheTlsSessionId(NetTransport transport) throws Exception {
        CertificateFixtures.Issued certificate = CertificateFixtures.selfSigned("vpn.test");
        SSLContext serverContext = serverContext(certificate);
        try (BlockingMember a = BlockingMember.tls("member-a", serverContext);
             BlockingMember b = BlockingMember.tls("member-b", serverContext);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, new TlsConfig(TlsMode.PASSTHROUGH, null, null),
                     IDLE, new int[] {a.port(), b.port()})) {
            SSLContext clientContext = trustAll();
            String first = exchange(clientContext, lb.address());
            // Without session persistence the round-robin router would send the next connection elsewhere.
            String resumed = exchange(clientContext, lb.address());
            assertThat(resumed).isEqualTo(first);
            TcpCounters counters = lb.counters();
            assertThat(counters.serverNames()).isEqualTo(2);
            assertThat(counters.tlsSessionRoutes()).isEqualTo(1);
            // A new client (new session cache) is routed by the router again: the other member.
            String other = exchange(trustAll(), lb.address());
            assertThat(other).isNotEqualTo(first);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void passthroughDropsWhatIsNotTls(NetTransport transport) throws Exception {
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, new TlsConfig(TlsMode.PASSTHROUGH, null, null),
                     IDLE, new int[] {member.port()});
             Socket client = connect(lb.address())) {
            client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().untilAsserted(() -> assertThat(lb.counters().drops(TcpDropReason.NOT_TLS)).isEqualTo(1));
            assertThat(member.connections.get()).isZero();
        }
        try (BlockingMember member = BlockingMember.echo("a");
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, new TlsConfig(TlsMode.PASSTHROUGH, null, null),
                     IDLE, new int[] {member.port()});
             Socket client = connect(lb.address())) {
            // A handshake record whose ClientHello claims a session ID longer than 32 bytes.
            byte[] bad = new byte[] {22, 3, 1, 0, 40, 1, 0, 0, 36, 3, 3};
            byte[] record = java.util.Arrays.copyOf(bad, 45);
            record[43] = 64;
            client.getOutputStream().write(record);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().untilAsserted(() -> assertThat(lb.counters().drops(TcpDropReason.MALFORMED_HELLO)).isEqualTo(1));
        }
    }

    private static String exchange(SSLContext context, InetSocketAddress address) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                address.getPort())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName("vpn.test")));
            parameters.setProtocols(new String[] {"TLSv1.2"});
            socket.setSSLParameters(parameters);
            socket.getOutputStream().write('?');
            socket.getOutputStream().flush();
            byte[] answer = new byte[8];
            int n = socket.getInputStream().read(answer);
            return new String(answer, 0, n, StandardCharsets.US_ASCII);
        }
    }

    public static SSLContext serverContext(CertificateFixtures.Issued certificate) throws Exception {
        return serverContext(certificate.keys().getPrivate(), certificate.certificate());
    }

    /** A server-side context that presents {@code chain} (leaf first). */
    public static SSLContext serverContext(java.security.PrivateKey key, X509Certificate... chain) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("k", key, "pw".toCharArray(), chain);
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "pw".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, new SecureRandom());
        return context;
    }

    public static SSLContext trustAll() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, new SecureRandom());
        return context;
    }
}

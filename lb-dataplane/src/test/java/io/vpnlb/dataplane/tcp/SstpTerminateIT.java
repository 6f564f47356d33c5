package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * tls.mode terminate in front of the project's RRAS-like SSTP member, on every transport: the crypto binding
 * checks and their diagnostics, HTTP errors for anything that is not SSTP, and TLS properties checked with
 * openssl, nmap and the peers' sstp_probe.py when they are installed.
 */
class SstpTerminateIT {

    private static final Duration IDLE = Duration.ofMinutes(1);
    private static CertificateFixtures.Chain chain;
    private static byte[] vpnlbSha256;

    @TempDir
    static Path dir;
    private static Path pem;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @BeforeAll
    static void certificate() throws Exception {
        chain = CertificateFixtures.chain("vpn.test");
        pem = CertificateFixtures.pemFile(dir, "vpn.pem", chain);
        vpnlbSha256 = MessageDigest.getInstance("SHA-256").digest(chain.leaf().certificate().getEncoded());
    }

    private static TlsConfig terminate() {
        return new TlsConfig(TlsMode.TERMINATE, pem.toString(), null);
    }

    @ParameterizedTest
    @MethodSource("transports")
    void matchingHashKeepsTheSessionUpAndDataFlowsBothWays(NetTransport transport) throws Exception {
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE, new int[] {member.port()})) {
            SstpTestClient.Outcome outcome = SstpTestClient.run(TcpProxyIT.trustAll(), lb.address());
            assertThat(outcome.httpStatusLine()).isEqualTo("HTTP/1.1 200");
            assertThat(outcome.certificateHash()).isEqualTo(vpnlbSha256);
            assertThat(outcome.ackHashBitmask()).isEqualTo(3);
            assertThat(outcome.echoed()).isTrue();
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.sstpRequests()).isEqualTo(1);
                assertThat(counters.cryptoBindingsMatched()).isEqualTo(1);
                assertThat(counters.cryptoBindingsIntercepted()).isZero();
                assertThat(counters.cryptoBindingsRejectedByMember()).isZero();
                assertThat(counters.closed()).isEqualTo(1);
            });
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void memberWithAnotherConfiguredHashIsDiagnosed(NetTransport transport) throws Exception {
        byte[] wrong = MessageDigest.getInstance("SHA-256").digest("another certificate".getBytes());
        try (BlockingMember member = SstpTestMember.start("rras", wrong);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE, new int[] {member.port()})) {
            SstpTestClient.Outcome outcome = SstpTestClient.run(TcpProxyIT.trustAll(), lb.address());
            assertThat(outcome.aborted()).isTrue();
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.cryptoBindingsMatched()).isEqualTo(1);
                assertThat(counters.cryptoBindingsRejectedByMember()).isEqualTo(1);
                assertThat(counters.cryptoBindingsIntercepted()).isZero();
            });
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void tlsInterceptionInFrontOfVpnlbIsDiagnosed(NetTransport transport) throws Exception {
        CertificateFixtures.Issued inspector = CertificateFixtures.selfSigned("inspector.corp.test");
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE, new int[] {member.port()});
             BlockingMember proxy = InterceptingProxy.start(TcpProxyIT.serverContext(inspector),
                     TcpProxyIT.trustAll(), lb.address())) {
            SstpTestClient.Outcome outcome = SstpTestClient.run(TcpProxyIT.trustAll(),
                    new InetSocketAddress(lb.address().getAddress(), proxy.port()));
            assertThat(outcome.certificateHash()).isNotEqualTo(vpnlbSha256);
            assertThat(outcome.aborted()).isTrue();
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.cryptoBindingsIntercepted()).isEqualTo(1);
                assertThat(counters.cryptoBindingsMatched()).isZero();
                assertThat(counters.cryptoBindingsRejectedByMember()).isZero();
            });
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void anythingButSstpGetsAnHttpErrorAndNoMember(NetTransport transport) throws Exception {
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE, new int[] {member.port()})) {
            assertThat(httpOverTls(lb.address(), "GET / HTTP/1.1\r\nHost: vpn.test\r\n\r\n"))
                    .startsWith("HTTP/1.1 404 Not Found\r\n");
            assertThat(httpOverTls(lb.address(),
                    "POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\nHost: vpn.test\r\n\r\n"))
                    .startsWith("HTTP/1.1 405 Method Not Allowed\r\nAllow: SSTP_DUPLEX_POST\r\n");
            assertThat(httpOverTls(lb.address(),
                    "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.0\r\n\r\n"))
                    .startsWith("HTTP/1.1 505 ");
            assertThat(httpOverTls(lb.address(), "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ "
                    + "HTTP/1.1\r\nX-Junk: " + "a".repeat(9000) + "\r\n\r\n"))
                    .startsWith("HTTP/1.1 431 ");
            assertThat(httpOverTls(lb.address(), "SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ "
                    + "HTTP/1.1\r\nno colon here\r\n\r\n")).startsWith("HTTP/1.1 400 ");
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.drops(TcpDropReason.HTTP_BAD_REQUEST)).isEqualTo(4);
                assertThat(counters.drops(TcpDropReason.HTTP_HEADER_TOO_LARGE)).isEqualTo(1);
                assertThat(counters.closed()).isEqualTo(5);
            });
            assertThat(member.connections.get()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void garbageInsteadOfAClientHelloIsAFailedHandshake(NetTransport transport) throws Exception {
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, terminate(), IDLE, new int[] {member.port()});
             Socket client = new Socket(lb.address().getAddress(), lb.address().getPort())) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("SSTP_DUPLEX_POST / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            while (in.read() >= 0) {
                // an alert, then EOF
            }
            await().untilAsserted(() ->
                    assertThat(lb.counters().drops(TcpDropReason.TLS_HANDSHAKE_FAILED)).isEqualTo(1));
            assertThat(member.connections.get()).isZero();
        }
    }

    private static String httpOverTls(InetSocketAddress address, String request) throws Exception {
        SSLContext context = TcpProxyIT.trustAll();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                address.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void reencryptWorksWithTheSameCertificateAndReportsAnotherOne(NetTransport transport) throws Exception {
        TlsConfig reencrypt = new TlsConfig(TlsMode.REENCRYPT, pem.toString(), null);
        CertificateFixtures.Issued same = new CertificateFixtures.Issued(chain.leaf().certificate(), chain.leaf().keys());
        try (BlockingMember member = SstpTestMember.startTls("rras-tls", vpnlbSha256, TcpProxyIT.serverContext(same));
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, reencrypt, IDLE, new int[] {member.port()})) {
            SstpTestClient.Outcome outcome = SstpTestClient.run(TcpProxyIT.trustAll(), lb.address());
            assertThat(outcome.echoed()).isTrue();
            await().untilAsserted(() -> assertThat(lb.counters().cryptoBindingsMatched()).isEqualTo(1));
            assertThat(lb.counters().reencryptCertificateMismatches()).isZero();
        }
        CertificateFixtures.Issued other = CertificateFixtures.selfSigned("member.internal.test");
        byte[] otherSha256 = MessageDigest.getInstance("SHA-256").digest(other.certificate().getEncoded());
        try (BlockingMember member = SstpTestMember.startTls("rras-tls", otherSha256, TcpProxyIT.serverContext(other));
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, reencrypt, IDLE, new int[] {member.port()})) {
            SstpTestClient.Outcome outcome = SstpTestClient.run(TcpProxyIT.trustAll(), lb.address());
            assertThat(outcome.aborted()).isTrue();
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.reencryptCertificateMismatches()).isEqualTo(1);
                assertThat(counters.cryptoBindingsRejectedByMember()).isEqualTo(1);
            });
        }
    }

    // ---- real tools, when installed ---------------------------------------------------------------------------

    @Test
    void sstpProbeFromThePeersGetsCallConnectAck() throws Exception {
        Path probe = Path.of("/work/shared/peers/sstp_probe.py");
        Path sibling = Path.of("../../shared/peers/sstp_probe.py").toAbsolutePath().normalize();
        Path script = Files.exists(probe) ? probe : sibling;
        assumeTrue(Files.exists(script) && onPath("python3"), "sstp_probe.py or python3 is not available");
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(NetTransport.resolve(io.vpnlb.config.Transport.AUTO), ServiceType.SSTP,
                     terminate(), IDLE, new int[] {member.port()})) {
            String output = run("python3", script.toString(), "127.0.0.1", String.valueOf(lb.address().getPort()),
                    "vpn.test");
            assertThat(output).contains("HTTP: HTTP/1.1 200").contains("msg=CALL_CONNECT_ACK")
                    .contains("hash_bitmask=0x03");
            assertThat(output).containsPattern("TLS: TLSv1\\.[23]");
        }
    }

    @Test
    void opensslSeesOnlyTls12AndUpAndResumesSessions() throws Exception {
        assumeTrue(onPath("openssl"), "openssl is not installed");
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(NetTransport.resolve(io.vpnlb.config.Transport.AUTO), ServiceType.SSTP,
                     terminate(), IDLE, new int[] {member.port()})) {
            String connect = "127.0.0.1:" + lb.address().getPort();
            assertThat(run("openssl", "s_client", "-connect", connect, "-tls1_1", "-brief"))
                    .doesNotContain("Protocol version: TLSv1.1");
            Path session = dir.resolve("session.pem");
            String first = run("openssl", "s_client", "-connect", connect, "-tls1_2", "-sess_out", session.toString());
            assertThat(first).contains("Protocol  : TLSv1.2").contains("subject=O = vpnlb tests, CN = vpn.test");
            String second = run("openssl", "s_client", "-connect", connect, "-tls1_2", "-sess_in", session.toString());
            assertThat(second).contains("Reused, TLSv1.2");
        }
    }

    @Test
    void nmapFindsOnlyTls12And13WithGradeA() throws Exception {
        assumeTrue(onPath("nmap"), "nmap is not installed (Debian package nmap)");
        try (BlockingMember member = SstpTestMember.start("rras", vpnlbSha256);
             TcpFixture lb = new TcpFixture(NetTransport.resolve(io.vpnlb.config.Transport.AUTO), ServiceType.SSTP,
                     terminate(), IDLE, new int[] {member.port()})) {
            String output = run("nmap", "-Pn", "-n", "-p", String.valueOf(lb.address().getPort()), "--script",
                    "ssl-enum-ciphers,ssl-cert", "127.0.0.1");
            assertThat(output).contains("TLSv1.2:").doesNotContain("TLSv1.0:").doesNotContain("TLSv1.1:")
                    .doesNotContain("SSLv3").contains("least strength: A")
                    .contains("Subject: commonName=vpn.test/organizationName=vpnlb tests");
        }
    }

    static boolean onPath(String command) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, command))) {
                return true;
            }
        }
        return false;
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}

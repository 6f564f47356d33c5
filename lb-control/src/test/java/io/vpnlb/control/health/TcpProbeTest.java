package io.vpnlb.control.health;

import io.vpnlb.config.cert.CertificateFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The tls and tcp checks against openssl s_server and plain TCP servers. */
class TcpProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SHORT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> servers = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
        timer.shutdownNow();
    }

    private InetSocketAddress openssl(CertificateFixtures.Issued certificate, String... options) throws Exception {
        assumeTrue(OpensslServer.available(), "openssl is not installed");
        OpensslServer server = OpensslServer.start(dir, certificate, options);
        servers.add(server);
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    private InetSocketAddress scripted(ScriptedServer.Script script) throws Exception {
        ScriptedServer server = new ScriptedServer(script);
        servers.add(server);
        return server.address();
    }

    private static List<String> jdkCipherSuites() throws Exception {
        return Arrays.asList(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    }

    @Test
    void aTls13HandshakeIsUpAndNamesProtocolAndCipherSuite() throws Exception {
        CertificateFixtures.Issued certificate = CertificateFixtures.selfSigned("member.test");

        ProbeResult result = new TcpProbe(true, timer).probe(openssl(certificate), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isTrue();
        assertThat(result.detail()).startsWith("TLS handshake completed: TLSv1.3, ");
        assertThat(jdkCipherSuites()).contains(result.detail().substring(result.detail().lastIndexOf(' ') + 1));
        assertThat(result.memberCertificate()).isEqualTo(certificate.certificate());
    }

    @Test
    void aTls12OnlyMemberIsUp() throws Exception {
        CertificateFixtures.Issued certificate = CertificateFixtures.selfSigned("member.test");

        ProbeResult result = new TcpProbe(true, timer).probe(openssl(certificate, "-tls1_2"), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isTrue();
        assertThat(result.detail()).startsWith("TLS handshake completed: TLSv1.2, TLS_ECDHE_RSA_WITH_");
        assertThat(result.memberCertificate()).isEqualTo(certificate.certificate());
    }

    @Test
    void aTls11OnlyMemberIsDown() throws Exception {
        InetSocketAddress member = openssl(CertificateFixtures.selfSigned("member.test"), "-tls1_1", "-cipher",
                "DEFAULT@SECLEVEL=0");

        ProbeResult result = new TcpProbe(true, timer).probe(member, TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("TLS handshake with 127.0.0.1:" + member.getPort() + " failed: ");
    }

    @Test
    void aPlainTcpServerIsDown() throws Exception {
        InetSocketAddress member = scripted(socket -> {
            socket.getInputStream().read();
            socket.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        });

        ProbeResult result = new TcpProbe(true, timer).probe(member, TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("TLS handshake with 127.0.0.1:" + member.getPort()
                + " failed: Unsupported or unrecognized SSL message (the member does not answer with TLS)");
        assertThat(result.memberCertificate()).isNull();
    }

    @Test
    void aSilentServerIsDownAtTheTimeout() throws Exception {
        InetSocketAddress member = scripted(socket -> {
            while (socket.getInputStream().read() >= 0) {
                // reads the ClientHello and never answers
            }
        });

        ProbeResult result = new TcpProbe(true, timer).probe(member, SHORT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("TLS handshake with 127.0.0.1:" + member.getPort()
                + ": no answer within 500ms");
    }

    @Test
    void theTcpCheckConnects() throws Exception {
        InetSocketAddress member = scripted(socket -> socket.getInputStream().read());
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }

        ProbeResult up = new TcpProbe(false, timer).probe(member, TIMEOUT);
        ProbeResult refused = new TcpProbe(false, timer).probe(new InetSocketAddress("127.0.0.1", closed), TIMEOUT);

        assertThat(up.up()).as(up.detail()).isTrue();
        assertThat(up.detail()).isEqualTo("TCP connect succeeded");
        assertThat(refused.up()).isFalse();
        assertThat(refused.detail()).startsWith("TCP connect to 127.0.0.1:" + closed + " failed: ");
    }
}

package io.vpnlb.control.health;

import io.vpnlb.config.StatusRange;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.dataplane.tcp.TcpProxyIT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sstp check against real HTTP and HTTPS servers (nginx, and the project's RRAS-like member), and against
 * servers that misbehave.
 */
class SstpProbeTest {

    /** Generous, for checks that must complete on a busy machine. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** For checks that must end at their timeout. */
    private static final Duration SHORT = Duration.ofMillis(500);

    @TempDir
    Path dir;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private SstpStatusMember rras;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
        timer.shutdownNow();
    }

    private SstpProbe probe(boolean https, List<StatusRange> expected) {
        return new SstpProbe(https, expected, timer);
    }

    private SstpProbe probe(boolean https) {
        return probe(https, StatusRange.DEFAULT_SSTP);
    }

    /** Who answers the check: the project's RRAS-like member, or nginx. */
    enum Member { RRAS_LIKE, NGINX }

    /**
     * A member of {@code kind} answering HEAD on the SSTP path with {@code status}.
     *
     * @param certificate for HTTPS; {@code null} for plain HTTP
     */
    private InetSocketAddress member(Member kind, int status, CertificateFixtures.Issued certificate)
            throws Exception {
        if (kind == Member.NGINX) {
            assumeTrue(NginxServer.available(), "nginx is not installed (Debian package nginx)");
            NginxServer nginx = NginxServer.start(dir, status, certificate);
            servers.add(nginx);
            return nginx.address();
        }
        SstpStatusMember member = certificate == null ? SstpStatusMember.plain("rras")
                : SstpStatusMember.tls("rras", TcpProxyIT.serverContext(certificate), 0);
        member.headStatus.set(status);
        servers.add(member);
        rras = member;
        return member.address();
    }

    private InetSocketAddress scripted(ScriptedServer.Script script) throws IOException {
        ScriptedServer server = new ScriptedServer(script);
        servers.add(server);
        return server.address();
    }

    /** A server that reads the request head and writes {@code answer}. */
    private InetSocketAddress answering(String answer) throws IOException {
        return scripted(socket -> {
            ScriptedServer.readHead(socket.getInputStream());
            socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        });
    }

    @Test
    void theRequestIsTheSstpHeadWithHost() throws Exception {
        InetSocketAddress member = member(Member.RRAS_LIKE, 401, null);

        probe(false).probe(member, TIMEOUT);

        assertThat(rras.lastRequest.get()).isEqualTo("HEAD /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + member.getPort() + "\r\nUser-Agent: vpnlb-health-check\r\n"
                + "Connection: close\r\n\r\n");
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void unauthorizedAndOkAreUp(Member kind) throws Exception {
        ProbeResult unauthorized = probe(false).probe(member(kind, 401, null), TIMEOUT);
        ProbeResult ok = probe(false).probe(member(kind, 200, null), TIMEOUT);

        assertThat(unauthorized.up()).as(unauthorized.detail()).isTrue();
        assertThat(unauthorized.detail()).isEqualTo("SSTP HEAD over HTTP answered 401");
        assertThat(unauthorized.memberCertificate()).isNull();
        assertThat(ok.up()).as(ok.detail()).isTrue();
        assertThat(ok.detail()).isEqualTo("SSTP HEAD over HTTP answered 200");
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void serviceUnavailableIsDownAndTheDetailNamesTheExpectedStatuses(Member kind) throws Exception {
        ProbeResult result = probe(false).probe(member(kind, 503, null), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTP answered 503, expected 200-299, 401");
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void notFoundIsDownByDefaultAndUpWhenExpected(Member kind) throws Exception {
        InetSocketAddress member = member(kind, 404, null);

        assertThat(probe(false).probe(member, TIMEOUT).detail())
                .isEqualTo("SSTP HEAD over HTTP answered 404, expected 200-299, 401");
        ProbeResult expected = probe(false, List.of(new StatusRange(404, 404))).probe(member, TIMEOUT);
        assertThat(expected.up()).as(expected.detail()).isTrue();
        assertThat(expected.detail()).isEqualTo("SSTP HEAD over HTTP answered 404");
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void unauthorizedIsDownWhenOnlySuccessIsExpected(Member kind) throws Exception {
        ProbeResult result = probe(false, List.of(new StatusRange(200, 299))).probe(member(kind, 401, null), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTP answered 401, expected 200-299");
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void overHttpsTheMemberCertificateIsCapturedWithoutCheckingItsName(Member kind) throws Exception {
        // The member presents the public VPN name only, not its address, and is self-signed (no CA the probe knows).
        CertificateFixtures.Issued certificate = CertificateFixtures.issue("CN=vpn.example", null,
                CertificateFixtures.rsa(), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(30)), false, new String[] {"vpn.example"});

        ProbeResult result = probe(true).probe(member(kind, 401, certificate), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isTrue();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTPS answered 401");
        assertThat(result.memberCertificate()).isEqualTo(certificate.certificate());
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void aDownAnswerOverHttpsStillCarriesTheCertificate(Member kind) throws Exception {
        CertificateFixtures.Issued certificate = CertificateFixtures.selfSigned("member.test");

        ProbeResult result = probe(true).probe(member(kind, 503, certificate), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTPS answered 503, expected 200-299, 401");
        assertThat(result.memberCertificate()).isEqualTo(certificate.certificate());
    }

    @Test
    void plainHttpToATlsMemberIsDown() throws Exception {
        InetSocketAddress member = member(Member.RRAS_LIKE, 401, CertificateFixtures.selfSigned("member.test"));

        ProbeResult result = probe(false).probe(member, TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("SSTP HEAD over HTTP: ");
    }

    @ParameterizedTest
    @EnumSource(Member.class)
    void httpsToAPlainMemberIsDown(Member kind) throws Exception {
        InetSocketAddress member = member(kind, 401, null);

        // The RRAS-like member waits for a request head that never comes: its case ends at the timeout.
        ProbeResult result = probe(true).probe(member, kind == Member.NGINX ? TIMEOUT : SHORT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("TLS handshake with 127.0.0.1:" + member.getPort());
        assertThat(result.memberCertificate()).isNull();
        if (kind == Member.NGINX) {
            // nginx answers the ClientHello with an HTTP 400, which the TLS client recognises as not TLS.
            assertThat(result.detail()).endsWith(" failed: Unsupported or unrecognized SSL message "
                    + "(the member does not answer with TLS)");
        }
    }

    @Test
    void aTlsAnswerToPlainHttpIsRecognised() throws Exception {
        // A TLS alert record (fatal, unexpected_message), what a TLS listener may send to a plain request.
        ProbeResult result = probe(false).probe(answering("\025\003\003\000\002\002\012"), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).endsWith("; the member answered with TLS (use https: true)");
    }

    @Test
    void garbageIsDown() throws Exception {
        ProbeResult result = probe(false).probe(answering("this is not http\r\n\r\n"), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("SSTP HEAD over HTTP: the answer is not HTTP (")
                .endsWith("\"this is not http\\x0d\\x0a\\x0d\\x0a\"");
    }

    @Test
    void anotherProtocolIsDown() throws Exception {
        ProbeResult result = probe(false).probe(answering("RTSP/1.0 200 OK\r\n\r\n"), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTP: the answer is not HTTP (\"invalid version format: "
                + "RTSP/1.0\"): \"RTSP/1.0 200 OK\\x0d\\x0a\\x0d\\x0a\"");
    }

    @Test
    void aHugeHeaderIsDown() throws Exception {
        String header = "X-Filler: " + "a".repeat(200) + "\r\n";
        ProbeResult result = probe(false).probe(answering("HTTP/1.1 200 OK\r\n" + header.repeat(100) + "\r\n"),
                TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("SSTP HEAD over HTTP: the answer is not HTTP (")
                .contains("8192");
    }

    @Test
    void anEndlessLineIsDown() throws Exception {
        InetSocketAddress member = scripted(socket -> {
            ScriptedServer.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            byte[] noise = new byte[1024];
            java.util.Arrays.fill(noise, (byte) 'A');
            while (true) {
                out.write(noise);
            }
        });

        ProbeResult result = probe(false).probe(member, TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("SSTP HEAD over HTTP: the answer is not HTTP (").contains("4096");
    }

    @Test
    void silenceIsDownAtTheTimeout() throws Exception {
        InetSocketAddress member = scripted(socket -> {
            ScriptedServer.readHead(socket.getInputStream());
            socket.getInputStream().read(); // waits until the probe gives up
        });

        ProbeResult result = probe(false).probe(member, SHORT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("no SSTP answer to HEAD within 500ms");
    }

    @Test
    void aMemberThatTricklesHeadersIsDownAtTheTimeout() throws Exception {
        // Each read returns quickly, so only the deadline over the whole check ends this probe.
        InetSocketAddress member = scripted(socket -> {
            ScriptedServer.readHead(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; ; i++) {
                out.write(("X-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(20);
            }
        });

        ProbeResult result = probe(false).probe(member, SHORT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("no SSTP answer to HEAD within 500ms");
    }

    @Test
    void aMemberThatClosesWithoutAnsweringIsDown() throws Exception {
        ProbeResult result = probe(false).probe(answering(""), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail())
                .isEqualTo("SSTP HEAD over HTTP: the member closed the connection without answering");
    }

    @Test
    void aTruncatedAnswerIsDown() throws Exception {
        ProbeResult result = probe(false).probe(answering("HTTP/1.1 401 Unauth"), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTP: the member closed the connection after 19 "
                + "byte(s) without a complete HTTP answer: \"HTTP/1.1 401 Unauth\"");
    }

    @Test
    void anInterimAnswerIsFollowedToTheFinalOne() throws Exception {
        ProbeResult result = probe(false).probe(answering("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n"), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isTrue();
        assertThat(result.detail()).isEqualTo("SSTP HEAD over HTTP answered 401");
    }

    @Test
    void aRefusedConnectionIsDown() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }

        ProbeResult result = probe(false).probe(new InetSocketAddress("127.0.0.1", port), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).startsWith("TCP connect to 127.0.0.1:" + port + " failed: ");
    }

    @Test
    void anOpensslServerThatDoesNotAnswerHeadIsDownButItsCertificateIsSeen() throws Exception {
        assumeTrue(OpensslServer.available(), "openssl is not installed");
        CertificateFixtures.Issued certificate = CertificateFixtures.selfSigned("member.test");
        // s_server -www answers GET only: a HEAD gets silence after a complete TLS handshake.
        OpensslServer server = OpensslServer.start(dir, certificate);
        servers.add(server);

        ProbeResult result = probe(true).probe(new InetSocketAddress("127.0.0.1", server.port()), TIMEOUT);

        assertThat(result.up()).as(result.detail()).isFalse();
        assertThat(result.detail()).isEqualTo("no SSTP answer to HEAD within 5s");
        assertThat(result.memberCertificate()).isEqualTo(certificate.certificate());
    }
}

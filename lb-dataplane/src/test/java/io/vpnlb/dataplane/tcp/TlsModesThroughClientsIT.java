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

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real clients through each tls.mode of an sstp service, in front of the project's SSTP test member (plain HTTP
 * behind terminate; HTTPS behind reencrypt with vpnlb's certificate, behind passthrough with its own):
 * <ul>
 *   <li>openssl s_client: TLS 1.2 and TLS 1.3 are negotiated and verified against the test CA, and the
 *       certificate seen is vpnlb's (terminate, reencrypt) or the member's (passthrough);</li>
 *   <li>curl: an HTTPS SSTP request through vpnlb gets the member's HTTP answer;</li>
 *   <li>sstpc (Debian's sstp-client): TLS, SSTP_DUPLEX_POST, CALL_CONNECT_REQUEST and the member's
 *       CALL_CONNECT_ACK pass through vpnlb. There is no PPP here, so sstpc runs without pppd
 *       ({@code --nolaunchpppd}, PPP on its stdin) and stops when its stdin is closed.</li>
 * </ul>
 * Each tool is skipped with a message when it is not installed, except under CI ({@code CI=true}), where
 * .ci/run installs it and a missing tool fails.
 */
class TlsModesThroughClientsIT {

    private static final Duration IDLE = Duration.ofMinutes(1);
    private static final String SSTP_URL_PATH = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/";
    private static final String VPNLB_SUBJECT = "O = vpnlb tests, CN = vpn.test";
    private static final String MEMBER_SUBJECT = "O = vpnlb tests, CN = member.vpn.test";

    @TempDir
    static Path dir;
    private static CertificateFixtures.Chain chain;
    /** The passthrough member's own certificate, from the same CA, for the same names. */
    private static CertificateFixtures.Issued memberCertificate;
    private static Path pem;
    private static Path ca;
    private static byte[] vpnlbSha256;
    private static byte[] memberSha256;

    static List<Arguments> modes() {
        List<Arguments> modes = new ArrayList<>();
        for (TlsMode mode : TlsMode.values()) {
            for (NetTransport transport : NetTransport.available()) {
                modes.add(Arguments.of(mode, transport));
            }
        }
        return modes;
    }

    @BeforeAll
    static void certificates() throws Exception {
        chain = CertificateFixtures.chain("vpn.test");
        pem = CertificateFixtures.pemFile(dir, "vpn.pem", chain);
        ca = Files.writeString(dir.resolve("ca.pem"), CertificateFixtures.pem(chain.root().certificate()));
        Instant now = Instant.now();
        memberCertificate = CertificateFixtures.issue("O=vpnlb tests,CN=member.vpn.test", chain.intermediate(),
                CertificateFixtures.rsa(), now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false,
                new String[] {"vpn.test", "127.0.0.1"});
        vpnlbSha256 = MessageDigest.getInstance("SHA-256").digest(chain.leaf().certificate().getEncoded());
        memberSha256 = MessageDigest.getInstance("SHA-256").digest(memberCertificate.certificate().getEncoded());
    }

    // ---- openssl s_client ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modes")
    void opensslNegotiatesTls12And13AndSeesTheConfiguredCertificate(TlsMode mode, NetTransport transport)
            throws Exception {
        String openssl = tool("openssl", "openssl");
        SstpTestMember.Seen seen = new SstpTestMember.Seen();
        try (BlockingMember member = member(mode, seen);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, tls(mode), IDLE, new int[] {member.port()})) {
            for (String version : new String[] {"1.2", "1.3"}) {
                String output = SstpTerminateIT.run(openssl, "s_client", "-connect",
                        "127.0.0.1:" + lb.address().getPort(), "-servername", "vpn.test", "-CAfile", ca.toString(),
                        "-verify_return_error", "-verify_hostname", "vpn.test", "-brief",
                        "-tls" + version.replace('.', '_'));
                assertThat(output).as(output)
                        .contains("Protocol version: TLSv" + version)
                        .contains("Peer certificate: " + (mode == TlsMode.PASSTHROUGH ? MEMBER_SUBJECT : VPNLB_SUBJECT))
                        .contains("Verification: OK");
            }
            // TLS ends at vpnlb unless it passes TLS through: a handshake alone opens no member connection then.
            await().untilAsserted(() -> {
                assertThat(member.connections.get()).isEqualTo(mode == TlsMode.PASSTHROUGH ? 2 : 0);
                assertThat(lb.counters().closed()).isEqualTo(2);
            });
        }
    }

    // ---- curl ------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modes")
    void curlGetsTheMembersAnswer(TlsMode mode, NetTransport transport) throws Exception {
        String curl = tool("curl", "curl");
        SstpTestMember.Seen seen = new SstpTestMember.Seen();
        try (BlockingMember member = member(mode, seen);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, tls(mode), IDLE, new int[] {member.port()})) {
            int port = lb.address().getPort();
            // The member answers 200 with SSTP's endless Content-Length and then waits for SSTP packets:
            // --max-filesize makes curl stop right after the response headers (exit code 63).
            String output = SstpTerminateIT.run(curl, "-sS", "--globoff", "--http1.1", "-X", "SSTP_DUPLEX_POST",
                    "--cacert", ca.toString(), "--resolve", "vpn.test:" + port + ":127.0.0.1", "-D", "-",
                    "-o", "/dev/null", "--max-filesize", "1", "https://vpn.test:" + port + SSTP_URL_PATH);
            assertThat(output).as(output).startsWith("HTTP/1.1 200\r\n").contains("Maximum file size exceeded");
            assertThat(seen.requests).singleElement().asString()
                    .startsWith(SstpTestMember.REQUEST_LINE + "\r\n").contains("User-Agent: curl/");
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.sstpRequests()).isEqualTo(mode == TlsMode.PASSTHROUGH ? 0 : 1);
                assertThat(counters.closed()).isEqualTo(1);
            });
        }
    }

    // ---- sstpc -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("modes")
    void sstpcGetsThroughTheSstpRequestAndTheFirstControlPackets(TlsMode mode, NetTransport transport)
            throws Exception {
        String sstpc = tool("sstpc", "sstp-client");
        SstpTestMember.Seen seen = new SstpTestMember.Seen();
        try (BlockingMember member = member(mode, seen);
             TcpFixture lb = new TcpFixture(transport, ServiceType.SSTP, tls(mode), IDLE, new int[] {member.port()})) {
            Process process = new ProcessBuilder(sstpc, "--nolaunchpppd", "--log-stderr", "--log-level", "4",
                    "--ca-cert", ca.toString(), "--user", "vpnlb", "--password", "test",
                    "127.0.0.1:" + lb.address().getPort())
                    .redirectErrorStream(true).start();
            StringBuffer output = new StringBuffer();
            Thread reader = drain(process.getInputStream(), output);
            try {
                // sstpc sends CALL_CONNECT_REQUEST after the HTTP exchange and logs the member's CALL_CONNECT_ACK;
                // then it would negotiate PPP on its stdin.
                await().until(() -> !process.isAlive()
                        || (seen.controlTypes.contains(SstpPacketTracker.CALL_CONNECT_REQUEST)
                        && output.indexOf("CONNECT ACK") >= 0));
                assertThat(process.isAlive()).as(output::toString).isTrue();
                process.getOutputStream().close(); // end of the PPP stream: sstpc ends the session
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(output::toString).isTrue();
            } finally {
                process.destroyForcibly();
                reader.join(10_000);
            }
            assertThat(output.toString()).doesNotContain("verification failed").contains("CONNECT ACK");
            assertThat(seen.requests).singleElement().asString()
                    .startsWith(SstpTestMember.REQUEST_LINE + "\r\n").contains("SSTPCORRELATIONID: {");
            assertThat(seen.controlTypes.peek()).isEqualTo(SstpPacketTracker.CALL_CONNECT_REQUEST);
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.sstpRequests()).isEqualTo(mode == TlsMode.PASSTHROUGH ? 0 : 1);
                assertThat(counters.closed()).isEqualTo(1);
                assertThat(counters.drops(TcpDropReason.SSTP_MALFORMED)).isZero();
            });
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static TlsConfig tls(TlsMode mode) {
        return new TlsConfig(mode, mode == TlsMode.PASSTHROUGH ? null : pem.toString(), null);
    }

    /** RRAS over HTTP behind terminate; over HTTPS with vpnlb's certificate (reencrypt) or its own (passthrough). */
    private static BlockingMember member(TlsMode mode, SstpTestMember.Seen seen) throws Exception {
        switch (mode) {
            case TERMINATE:
                return SstpTestMember.start("rras-http", vpnlbSha256, seen);
            case REENCRYPT:
                return SstpTestMember.startTls("rras-https", vpnlbSha256, TcpProxyIT.serverContext(
                        chain.leaf().keys().getPrivate(), chain.leaf().certificate(),
                        chain.intermediate().certificate()), seen);
            default:
                return SstpTestMember.startTls("rras-https", memberSha256, TcpProxyIT.serverContext(
                        memberCertificate.keys().getPrivate(), memberCertificate.certificate(),
                        chain.intermediate().certificate()), seen);
        }
    }

    /**
     * The path of {@code command}; skips the test when it is missing, or fails under CI, where .ci/run installs
     * the Debian package {@code debianPackage}.
     */
    static String tool(String command, String debianPackage) {
        List<String> places = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        places.add("/usr/sbin");
        places.add("/sbin");
        for (String place : places) {
            Path candidate = Path.of(place.isEmpty() ? "." : place, command);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String message = command + " is not installed (Debian package " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + ", but .ci/run installs it");
        }
        assumeTrue(false, message);
        return command;
    }

    private static Thread drain(InputStream in, StringBuffer into) {
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "sstpc-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }
}

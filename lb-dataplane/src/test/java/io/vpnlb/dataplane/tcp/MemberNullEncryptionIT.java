package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.cert.CertificateFixtures.Issued;
import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * IP-HTTPS in reencrypt mode with {@code tls.member-null-encryption} (its default): an IP-HTTPS client (openssl
 * s_client with a client certificate) reaches, through vpnlb, an openssl s_server member that accepts only
 * NULL-encryption suites, as a Windows IP-HTTPS server prefers, and another that refuses them. s_server -www answers
 * with a page naming the cipher suite of its side of the connection.
 */
class MemberNullEncryptionIT {

    private static final Pattern CIPHER = Pattern.compile("Cipher is (\\S+)");

    @TempDir
    static Path dir;
    private static Path serverPem;
    private static Path caPem;
    private static Path clientPem;
    private static PeerProcess nullOnly;
    private static PeerProcess rsaNullOnly;
    private static PeerProcess strongOnly;
    private static int nullOnlyPort;
    private static int rsaNullOnlyPort;
    private static int strongOnlyPort;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @BeforeAll
    static void members() throws Exception {
        assumeTrue(SstpTerminateIT.onPath("openssl"), "openssl is not installed (Debian package openssl)");
        serverPem = CertificateFixtures.pemFile(dir, "da.pem", CertificateFixtures.chain("da.vpn.test"));
        Instant now = Instant.now();
        Issued corpCa = CertificateFixtures.issue("CN=corp machine CA", null, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, new String[0]);
        Issued laptop = CertificateFixtures.issue("CN=laptop-1.corp.test", corpCa, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false, new String[0]);
        caPem = CertificateFixtures.write(dir, "corp-ca.pem", CertificateFixtures.pem(corpCa.certificate()));
        clientPem = CertificateFixtures.write(dir, "laptop.pem",
                CertificateFixtures.pem(laptop.certificate(), laptop.keys().getPrivate()));
        nullOnlyPort = FreePorts.tcp();
        nullOnly = PeerProcess.start(nullOnlyPort, sServer(nullOnlyPort, "eNULL:@SECLEVEL=0"));
        // The NULL suites Windows offers (Schannel has no ECDHE ones).
        rsaNullOnlyPort = FreePorts.tcp();
        rsaNullOnly = PeerProcess.start(rsaNullOnlyPort, sServer(rsaNullOnlyPort, "NULL-SHA256:NULL-SHA:@SECLEVEL=0"));
        strongOnlyPort = FreePorts.tcp();
        strongOnly = PeerProcess.start(strongOnlyPort, sServer(strongOnlyPort, "DEFAULT"));
    }

    private static List<String> sServer(int port, String ciphers) {
        return List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", serverPem.toString(),
                "-key", serverPem.toString(), "-cipher", ciphers, "-www");
    }

    @AfterAll
    static void stopMembers() {
        for (PeerProcess member : new PeerProcess[] {nullOnly, rsaNullOnly, strongOnly}) {
            if (member != null) {
                member.close();
            }
        }
    }

    /**
     * The cipher suite between vpnlb and {@code member}, from the page the member answers an IP-HTTPS client
     * (with a valid machine certificate) with through vpnlb.
     */
    private static String memberCipher(NetTransport transport, int memberPort, PeerProcess member) throws Exception {
        try (TcpFixture lb = ipHttps(transport, memberPort)) {
            String page = PeerProcess.run(List.of("openssl", "s_client", "-connect",
                    "127.0.0.1:" + lb.address().getPort(), "-cert", clientPem.toString(), "-key",
                    clientPem.toString(), "-quiet"), "GET / HTTP/1.0\r\n\r\n", false);
            assertThat(page).as("member output:%n%s", member.output()).contains("HTTP/1.0 200 ok");
            assertThat(lb.counters().opened()).isEqualTo(1);
            Matcher matcher = CIPHER.matcher(page);
            assertThat(matcher.find()).as("the member's page:%n%s", page).isTrue();
            return matcher.group(1);
        }
    }

    private static TcpFixture ipHttps(NetTransport transport, int memberPort) {
        TlsConfig tls = new TlsConfig(TlsMode.REENCRYPT, serverPem.toString(), null, null, caPem.toString(), null);
        assertThat(tls.effectiveMemberNullEncryption(ServiceType.IP_HTTPS)).as("the default").isTrue();
        return new TcpFixture(transport, ServiceType.IP_HTTPS, tls, Duration.ofMinutes(1), new int[] {memberPort});
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aMemberThatAllowsNullEncryptionGetsIt(NetTransport transport) throws Exception {
        assertThat(memberCipher(transport, nullOnlyPort, nullOnly)).isEqualTo("ECDHE-RSA-NULL-SHA");
        assertThat(memberCipher(transport, rsaNullOnlyPort, rsaNullOnly)).isEqualTo("NULL-SHA256");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aMemberThatRefusesNullEncryptionGetsAStrongSuite(NetTransport transport) throws Exception {
        assertThat(memberCipher(transport, strongOnlyPort, strongOnly)).doesNotContain("NULL").startsWith("ECDHE-")
                .contains("GCM");
    }
}

package io.vpnlb.dataplane.tcp;

import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.cert.CertificateFixtures.Issued;
import io.vpnlb.dataplane.transport.NetTransport;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * IP-HTTPS client-certificate preauthentication with tls.mode terminate: no certificate, one from another CA and
 * one revoked in the CRL are refused in the TLS handshake and counted; a valid one passes.
 */
class IpHttpsClientAuthIT {

    @TempDir
    static Path dir;
    private static Path serverPem;
    private static Path caPem;
    private static Path crlPem;
    private static Issued valid;
    private static Issued revoked;
    private static Issued foreign;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @BeforeAll
    static void pki() throws Exception {
        Instant now = Instant.now();
        serverPem = CertificateFixtures.pemFile(dir, "server.pem", CertificateFixtures.chain("da.vpn.test"));
        Issued corpCa = CertificateFixtures.issue("CN=corp machine CA", null, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, new String[0]);
        Issued otherCa = CertificateFixtures.issue("CN=someone else's CA", null, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, new String[0]);
        valid = CertificateFixtures.issue("CN=laptop-1.corp.test", corpCa, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false, new String[0]);
        revoked = CertificateFixtures.issue("CN=stolen-laptop.corp.test", corpCa, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false, new String[0]);
        foreign = CertificateFixtures.issue("CN=laptop-1.corp.test", otherCa, CertificateFixtures.rsa(),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false, new String[0]);
        caPem = CertificateFixtures.write(dir, "corp-ca.pem", CertificateFixtures.pem(corpCa.certificate()));
        X509v2CRLBuilder crl = new X509v2CRLBuilder(
                X500Name.getInstance(corpCa.certificate().getSubjectX500Principal().getEncoded()), Date.from(now));
        crl.setNextUpdate(Date.from(now.plus(Duration.ofDays(7))));
        crl.addCRLEntry(revoked.certificate().getSerialNumber(), Date.from(now), CRLReason.keyCompromise);
        X509CRL signed = new JcaX509CRLConverter().getCRL(crl.build(
                new JcaContentSignerBuilder("SHA256withRSA").build(corpCa.keys().getPrivate())));
        crlPem = CertificateFixtures.write(dir, "corp.crl", CertificateFixtures.pem(signed));
    }

    private static boolean echoes(InetSocketAddress address, Issued clientCertificate) throws Exception {
        KeyManager[] keys = null;
        if (clientCertificate != null) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", clientCertificate.keys().getPrivate(), "pw".toCharArray(),
                    new java.security.cert.Certificate[] {clientCertificate.certificate()});
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, "pw".toCharArray());
            keys = factory.getKeyManagers();
        }
        SSLContext trustAll = TcpProxyIT.trustAll();
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, new SecureRandom());
        assertThat(trustAll).isNotNull();
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(),
                address.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write('x');
            socket.getOutputStream().flush();
            return socket.getInputStream().read() == 'x';
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest
    @MethodSource("transports")
    void onlyAValidUnrevokedCertificateFromTheCorporateCaPasses(NetTransport transport) throws Exception {
        TlsConfig tls = new TlsConfig(TlsMode.TERMINATE, serverPem.toString(), null, null, caPem.toString(),
                crlPem.toString());
        try (BlockingMember member = BlockingMember.echo("ip-https-member");
             TcpFixture lb = new TcpFixture(transport, ServiceType.IP_HTTPS, tls, Duration.ofMinutes(1),
                     new int[] {member.port()})) {
            assertThat(echoes(lb.address(), null)).as("no client certificate").isFalse();
            assertThat(echoes(lb.address(), foreign)).as("certificate from another CA").isFalse();
            assertThat(echoes(lb.address(), revoked)).as("revoked certificate").isFalse();
            assertThat(echoes(lb.address(), valid)).as("valid certificate").isTrue();
            await().untilAsserted(() -> {
                TcpCounters counters = lb.counters();
                assertThat(counters.drops(TcpDropReason.CLIENT_CERTIFICATE_REJECTED)).isEqualTo(3);
                assertThat(counters.opened()).isEqualTo(1);
            });
            assertThat(member.connections.get()).isEqualTo(1);
        }
    }
}

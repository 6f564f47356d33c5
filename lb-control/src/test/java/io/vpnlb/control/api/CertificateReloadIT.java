package io.vpnlb.control.api;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.reload.ReloadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A terminating service's certificate is imported again when its file changes (the watcher) and on reload: new
 * handshakes get the new certificate; a file that does not import keeps the running one and rejects the reload.
 */
class CertificateReloadIT {

    private Path dir;
    private Path configFile;
    private Path certificateFile;
    private Balancer balancer;
    private int port;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("vpnlb-cert-reload-");
        configFile = dir.resolve("vpnlb.yaml");
        certificateFile = dir.resolve("vpn.pem");
        writeCertificate("first.vpn.test");
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        Files.writeString(configFile, String.join("\n",
                "services:",
                "  - name: sstp",
                "    type: sstp",
                "    listen: 127.0.0.1",
                "    ports: [" + port + "]",
                "    pool: vpn",
                "    tls: { mode: terminate, certificate: " + certificateFile + " }",
                "pools:",
                "  - { name: vpn, members: [ { address: 127.0.1.1, port: 9 } ] }",
                ""));
        LoadResult loaded = ConfigLoader.load(configFile);
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 1, new Balancer.Options(configFile, false));
    }

    @AfterEach
    void stop() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    private X509Certificate writeCertificate(String name) throws IOException {
        CertificateFixtures.Chain chain = CertificateFixtures.chain(name);
        // Written next to the file and moved over it, as deployment tools do, so no reader sees half a file.
        Path next = dir.resolve("next.pem");
        CertificateFixtures.pemFile(dir, "next.pem", chain);
        Files.move(next, certificateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return chain.leaf().certificate();
    }

    /** The subject of the certificate a new TLS handshake with the listener gets. */
    private String presented() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            return leaf.getSubjectX500Principal().getName();
        }
    }

    @Test
    void aChangedFileIsPickedUpAndABrokenOneKeepsTheRunningCertificate() throws Exception {
        assertThat(presented()).contains("CN=first.vpn.test");

        // The watcher notices the renewed file by itself.
        X509Certificate second = writeCertificate("second.vpn.test");
        await().atMost(Duration.ofSeconds(60)).until(() -> presented().contains("CN=second.vpn.test"));
        String sha256 = CertificateBundle.hex(CertificateBundle.digest("SHA-256", second));
        await().atMost(Duration.ofSeconds(10)).until(() -> balancer.metrics().scrape()
                .contains("sha256=\"" + sha256 + "\""));
        assertThat(balancer.metrics().scrape()).doesNotContain("CN=first.vpn.test");
        assertThat(balancer.tcp().certificates()).singleElement()
                .satisfies(bundle -> assertThat(CertificateBundle.hex(bundle.sha256())).isEqualTo(sha256));

        // A file that does not import: the running certificate stays, and a reload says why.
        Files.writeString(certificateFile, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        ReloadResult refused = balancer.reload();
        assertThat(refused.outcome()).isEqualTo(ReloadResult.Outcome.REJECTED);
        assertThat(refused.violations()).singleElement().asString()
                .startsWith("services[sstp].tls: service sstp: tls.certificate: ")
                .endsWith("(expected: certificate files that import; the running certificate stays)");
        assertThat(presented()).contains("CN=second.vpn.test");

        // A reload picks up a good file at once.
        writeCertificate("third.vpn.test");
        ReloadResult applied = balancer.reload();
        assertThat(applied.outcome()).as(applied.toString()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(applied.changes()).singleElement().asString()
                .startsWith("service sstp: certificate reloaded: CN=third.vpn.test");
        assertThat(presented()).contains("CN=third.vpn.test");
    }
}

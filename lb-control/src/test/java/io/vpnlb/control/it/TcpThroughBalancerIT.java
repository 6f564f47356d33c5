package io.vpnlb.control.it;

import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.dataplane.tcp.BlockingMember;
import io.vpnlb.dataplane.tcp.SstpTestClient;
import io.vpnlb.dataplane.tcp.SstpTestMember;
import io.vpnlb.dataplane.tcp.TcpCounters;
import io.vpnlb.dataplane.tcp.TcpListenerGroup;
import io.vpnlb.dataplane.tcp.TcpProxyIT;
import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** SSTP (TLS terminate, certificate from a .pfx) and plain TCP services started by the Balancer from YAML. */
class TcpThroughBalancerIT {

    @TempDir
    Path dir;

    private Balancer balancer;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @AfterEach
    void tearDown() {
        if (balancer != null) {
            balancer.close();
        }
    }

    private String yaml(NetTransport transport, int sstpPort, int sstpMember, int tcpPort, int tcpMember, Path pfx,
                        Path pass) {
        return String.join("\n",
                "transport: " + transport.displayName(),
                "admin: { listen: 127.0.0.1:0, token-file: " + dir.resolve("admin.token") + " }",
                "services:",
                "  - name: sstp",
                "    type: sstp",
                "    listen: 127.0.0.1",
                "    ports: [\"" + sstpPort + ":" + sstpMember + "\"]",
                "    pool: vpn-sstp",
                "    tls:",
                "      mode: terminate",
                "      certificate: " + pfx,
                "      password-file: " + pass,
                "  - name: relay",
                "    type: tcp",
                "    listen: 127.0.0.1",
                "    ports: [\"" + tcpPort + ":" + tcpMember + "\"]",
                "    pool: echo",
                "pools:",
                "  - name: vpn-sstp",
                "    algorithm: least-sessions",
                "    members:",
                "      - { address: 127.0.0.1 }",
                "  - name: echo",
                "    members:",
                "      - { address: 127.0.0.1 }",
                "");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void sstpTerminateAndPlainTcpServicesRunFromConfiguration(NetTransport transport) throws Exception {
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "pfx-pass"));
        Path pass = CertificateFixtures.write(dir, "vpn.pfx.pass", "pfx-pass\n");
        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(chain.leaf().certificate().getEncoded());
        try (BlockingMember rras = SstpTestMember.start("rras", sha256);
             BlockingMember echo = BlockingMember.echo("echo")) {
            int sstpPort = FreePorts.tcp();
            int tcpPort = FreePorts.tcp();
            LoadResult loaded = ConfigLoader.parse(yaml(transport, sstpPort, rras.port(), tcpPort, echo.port(), pfx,
                    pass), "TcpThroughBalancerIT");
            assertThat(loaded.violations()).isEmpty();
            balancer = Balancer.start(loaded.config(), 2, new Balancer.Options(null, true));

            SstpTestClient.Outcome outcome = SstpTestClient.run(TcpProxyIT.trustAll(),
                    new InetSocketAddress("127.0.0.1", sstpPort));
            assertThat(outcome.echoed()).isTrue();
            assertThat(outcome.certificateHash()).isEqualTo(sha256);

            try (Socket client = new Socket("127.0.0.1", tcpPort)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("pingbye-from-echo");
            }
            TcpListenerGroup sstp = balancer.tcp().listeners().get(0);
            assertThat(sstp.mode()).isEqualTo("terminate");
            await().untilAsserted(() -> {
                TcpCounters counters = sstp.counters();
                assertThat(counters.cryptoBindingsMatched()).isEqualTo(1);
                assertThat(counters.closed()).isEqualTo(1);
            });
            assertThat(balancer.tcp().certificates()).hasSize(1);
            assertThat(balancer.tcp().certificates().get(0).sha256()).isEqualTo(sha256);
            String metrics = balancer.metrics().scrape();
            String listener = "listener=\"" + sstp.listener().name() + "\",service=\"sstp\"";
            assertThat(metrics).contains("vpnlb_sstp_crypto_bindings_matched_total{" + listener + "} 1.0");
            assertThat(metrics).contains("vpnlb_sstp_requests_total{" + listener + "} 1.0");
            assertThat(metrics).contains("vpnlb_certificate_expiry_seconds{sha256=\""
                    + java.util.HexFormat.of().formatHex(sha256));
            com.fasterxml.jackson.databind.JsonNode listed = api("/api/v1/certificates").path("certificates");
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).path("sha256").asText())
                    .isEqualTo(java.util.HexFormat.of().withUpperCase().formatHex(sha256));
            assertThat(listed.get(0).path("subject").asText()).startsWith("CN=vpn.test");
            assertThat(listed.get(0).path("expired").asBoolean()).isFalse();
            assertThat(listed.get(0).path("chain_length").asInt()).isEqualTo(chain.certificates().size());

            // Per-listener counters of the TCP services in the admin API (the relay's close may still be counted).
            await().untilAsserted(() -> assertThat(services().get(1).path("listeners").get(0)
                    .path("connections_closed").asLong()).isEqualTo(1));
            com.fasterxml.jackson.databind.JsonNode sstpListener = services().get(0).path("listeners").get(0);
            assertThat(sstpListener.path("protocol").asText()).isEqualTo("tcp");
            assertThat(sstpListener.path("bound").asBoolean()).isTrue();
            assertThat(sstpListener.path("mode").asText()).isEqualTo("terminate");
            assertThat(sstpListener.path("connections_accepted").asLong()).isEqualTo(1);
            assertThat(sstpListener.path("connections_closed").asLong()).isEqualTo(1);
            assertThat(sstpListener.path("sessions_active").asLong()).isZero();
            assertThat(sstpListener.path("sstp_requests").asLong()).isEqualTo(1);
            assertThat(sstpListener.path("crypto_bindings_matched").asLong()).isEqualTo(1);
            assertThat(sstpListener.path("drops").path("connect_failed").isIntegralNumber()).isTrue();
            com.fasterxml.jackson.databind.JsonNode relay = services().get(1).path("listeners").get(0);
            assertThat(relay.path("connections_accepted").asLong()).isEqualTo(1);
            assertThat(relay.path("rx_bytes").asLong()).isEqualTo(4);
            assertThat(relay.path("tx_bytes").asLong()).isEqualTo("pingbye-from-echo".length());
            assertThat(relay.path("mode").asText()).isEqualTo("tcp");
        }
    }

    /** {@code services} of {@code GET /api/v1/services}. */
    private com.fasterxml.jackson.databind.JsonNode services() throws Exception {
        return api("/api/v1/services").path("services");
    }

    /** The JSON answer of an admin API {@code GET}, with the admin token; asserts 200. */
    private com.fasterxml.jackson.databind.JsonNode api(String path) throws Exception {
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                + balancer.adminAddress().getPort() + path))
                        .header("Authorization", "Bearer "
                                + java.nio.file.Files.readString(dir.resolve("admin.token")).strip())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("GET %s: %s", path, answer.body()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(answer.body());
    }

    /** Two TLS services presenting one certificate export one expiry series, which stays while either runs. */
    @Test
    void servicesSharingACertificateShareItsExpirySeries() throws Exception {
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "pfx-pass"));
        Path pass = CertificateFixtures.write(dir, "vpn.pfx.pass", "pfx-pass\n");
        Path file = dir.resolve("vpnlb.yaml");
        java.util.Map<String, Integer> both = new java.util.LinkedHashMap<>();
        both.put("a", FreePorts.tcp());
        both.put("b", FreePorts.tcp());
        java.nio.file.Files.writeString(file, tlsServices(both, pfx, pass));
        LoadResult loaded = ConfigLoader.parse(java.nio.file.Files.readString(file), file.toString());
        assertThat(loaded.violations()).isEmpty();
        balancer = Balancer.start(loaded.config(), 1, new Balancer.Options(file, false));
        assertThat(balancer.tcp().certificates()).hasSize(2);
        assertThat(expirySeries(balancer.metrics().scrape())).hasSize(1);

        java.nio.file.Files.writeString(file, tlsServices(java.util.Map.of("b", both.get("b")), pfx, pass));
        assertThat(balancer.reload().outcome()).isEqualTo(io.vpnlb.control.reload.ReloadResult.Outcome.APPLIED);

        assertThat(balancer.tcp().certificates()).hasSize(1);
        assertThat(expirySeries(balancer.metrics().scrape())).hasSize(1);
    }

    private static List<String> expirySeries(String metrics) {
        return metrics.lines().filter(line -> line.startsWith("vpnlb_certificate_expiry_seconds{")).toList();
    }

    private static String tlsServices(java.util.Map<String, Integer> ports, Path pfx, Path pass) {
        StringBuilder yaml = new StringBuilder("transport: nio\nservices:\n");
        for (java.util.Map.Entry<String, Integer> service : ports.entrySet()) {
            yaml.append("  - name: ").append(service.getKey()).append("\n    type: tcp\n    listen: 127.0.0.1\n")
                    .append("    ports: [\"").append(service.getValue()).append(":9\"]\n    pool: echo\n")
                    .append("    tls: { mode: terminate, certificate: ").append(pfx).append(", password-file: ")
                    .append(pass).append(" }\n");
        }
        return yaml.append("pools:\n  - name: echo\n    members:\n      - { address: 127.0.0.1 }\n").toString();
    }

    @Test
    void aWrongPfxPasswordStopsTheStartWithOneClearLine() throws Exception {
        CertificateFixtures.Chain chain = CertificateFixtures.chain("vpn.test");
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "right"));
        Path pass = CertificateFixtures.write(dir, "vpn.pfx.pass", "wrong\n");
        LoadResult loaded = ConfigLoader.parse(yaml(NetTransport.NIO, FreePorts.tcp(), 1, FreePorts.tcp(), 2, pfx, pass),
                "TcpThroughBalancerIT");
        assertThat(loaded.violations()).isEmpty();
        assertThatThrownBy(() -> balancer = Balancer.start(loaded.config(), 1))
                .isInstanceOf(Balancer.StartException.class)
                .hasMessage("service sstp: tls.certificate: " + pfx + ": wrong password (from " + pass
                        + ") for the PKCS#12 file");
    }
}

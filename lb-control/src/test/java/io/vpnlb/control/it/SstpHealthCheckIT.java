package io.vpnlb.control.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import io.vpnlb.control.Balancer;
import io.vpnlb.control.health.ScriptedServer;
import io.vpnlb.control.health.SstpStatusMember;
import io.vpnlb.control.pool.Health;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.dataplane.tcp.TcpProxyIT;
import io.vpnlb.dataplane.testing.FreePorts;
import io.vpnlb.dataplane.transport.NetTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sstp health check through a running Balancer: a member answering 503 goes DOWN and SSTP clients go to the
 * other member, it comes back UP on 200 and takes clients again; HTTP or HTTPS follows the service's tls mode;
 * a reencrypt member presenting another certificate than vpnlb is reported (detail, admin API, metric) and not
 * when it presents the same one.
 */
class SstpHealthCheckIT {

    private static final String POOL = "vpn-sstp";

    @TempDir
    Path dir;

    private final List<AutoCloseable> members = new ArrayList<>();
    private Balancer balancer;

    static List<NetTransport> transports() {
        return NetTransport.available();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (balancer != null) {
            balancer.close();
        }
        for (AutoCloseable member : members) {
            member.close();
        }
    }

    /** The certificate vpnlb presents, as a .pfx with its password file. */
    private String tls(String mode, CertificateFixtures.Chain chain) {
        Path pfx = CertificateFixtures.write(dir, "vpn.pfx",
                CertificateFixtures.pkcs12(chain.leaf(), chain.certificates(), "pfx-pass"));
        Path pass = CertificateFixtures.write(dir, "vpn.pfx.pass", "pfx-pass\n");
        return "    tls: { mode: " + mode + ", certificate: " + pfx + ", password-file: " + pass + " }";
    }

    private void start(NetTransport transport, int vip, String tls, int... memberPorts) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "transport: " + transport.displayName(),
                "admin: { listen: 127.0.0.1:0, token-file: " + dir.resolve("admin.token") + " }",
                "services:",
                "  - name: sstp",
                "    type: sstp",
                "    listen: 127.0.0.1",
                "    ports: [" + vip + "]",
                "    pool: " + POOL,
                "    persistence: { scope: none }",
                tls,
                "pools:",
                "  - name: " + POOL,
                "    algorithm: round-robin",
                "    health-check: { type: sstp, interval: 500ms, timeout: 500ms, rise: 2, fall: 2 }",
                "    members:"));
        for (int port : memberPorts) {
            lines.add("      - { address: 127.0.0.1, port: " + port + " }");
        }
        lines.add("");
        LoadResult loaded = ConfigLoader.parse(String.join("\n", lines), "SstpHealthCheckIT");
        assertThat(loaded.violations()).isEmpty();
        // One event loop: one round-robin cursor, so consecutive clients alternate between eligible members.
        balancer = Balancer.start(loaded.config(), 1, new Balancer.Options(null, true));
    }

    private MemberState member(int port) {
        return balancer.pools().member(POOL, "127.0.0.1:" + port);
    }

    /** One SSTP client through vpnlb: the {@code Server} header of the member that answered SSTP_DUPLEX_POST. */
    private static String connect(int vip) throws Exception {
        try (SSLSocket socket = (SSLSocket) TcpProxyIT.trustAll().getSocketFactory().createSocket("127.0.0.1", vip)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("SSTP_DUPLEX_POST " + SstpStatusMember.PATH + " HTTP/1.1\r\n"
                    + "SSTPCORRELATIONID: {" + UUID.randomUUID() + "}\r\nContent-Length: 18446744073709551615\r\n"
                    + "Host: vpn.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = ScriptedServer.readHead(socket.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 200\r\n");
            int server = head.indexOf("\r\nServer: ") + "\r\nServer: ".length();
            return head.substring(server, head.indexOf("\r\n", server));
        }
    }

    private static List<String> connect(int vip, int clients) throws Exception {
        List<String> reached = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            reached.add(connect(vip));
        }
        return reached;
    }

    @ParameterizedTest
    @MethodSource("transports")
    void aMemberAnswering503IsTakenOutAndComesBackOn200(NetTransport transport) throws Exception {
        SstpStatusMember a = SstpStatusMember.plain("a");
        members.add(a);
        SstpStatusMember b = SstpStatusMember.plain("b");
        members.add(b);
        int vip = FreePorts.tcp();
        start(transport, vip, tls("terminate", CertificateFixtures.chain("vpn.test")), a.port(), b.port());
        MemberState first = member(a.port());
        MemberState second = member(b.port());
        // Behind TLS termination members listen on plain HTTP, and the check speaks it.
        await().atMost(Duration.ofSeconds(10)).until(() -> first.lastCheck().equals("SSTP HEAD over HTTP answered 401")
                && second.lastCheck().equals("SSTP HEAD over HTTP answered 401"));
        assertThat(connect(vip, 4)).contains("a", "b");

        a.headStatus.set(503);
        await().atMost(Duration.ofSeconds(10)).until(() -> first.health() == Health.DOWN);
        assertThat(first.lastCheck()).isEqualTo("SSTP HEAD over HTTP answered 503, expected 200-299, 401");
        assertThat(connect(vip, 4)).containsOnly("b");

        a.headStatus.set(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> first.health() == Health.UP);
        assertThat(first.lastCheck()).isEqualTo("SSTP HEAD over HTTP answered 200");
        assertThat(connect(vip, 4)).contains("a", "b");
        assertThat(first.checkFailures()).isGreaterThanOrEqualTo(2);
        assertThat(second.health()).isEqualTo(Health.UP);
    }

    @Test
    void aReencryptMemberWithAnotherCertificateIsReportedAndStaysUp() throws Exception {
        CertificateFixtures.Chain vpn = CertificateFixtures.chain("vpn.test");
        CertificateFixtures.Issued other = CertificateFixtures.selfSigned("other.test");
        SstpStatusMember same = SstpStatusMember.tls("same", TcpProxyIT.serverContext(vpn.leaf()), 0);
        members.add(same);
        SstpStatusMember different = SstpStatusMember.tls("different", TcpProxyIT.serverContext(other), 0);
        members.add(different);
        int vip = FreePorts.tcp();
        start(NetTransport.resolve(io.vpnlb.config.Transport.AUTO), vip, tls("reencrypt", vpn), same.port(),
                different.port());
        MemberState good = member(same.port());
        MemberState bad = member(different.port());
        String vpnHash = CertificateBundle.hex(CertificateBundle.digest("SHA-256", vpn.leaf().certificate()));
        String otherHash = CertificateBundle.hex(CertificateBundle.digest("SHA-256", other.certificate()));

        // With reencrypt, members listen with TLS, and the check speaks HTTPS.
        await().atMost(Duration.ofSeconds(10)).until(() -> bad.certificateMismatch() != null
                && good.lastCheck().equals("SSTP HEAD over HTTPS answered 401"));
        assertThat(bad.lastCheck()).startsWith("SSTP HEAD over HTTPS answered 401; certificate mismatch: the member "
                + "presents SHA-256 " + otherHash + " (CN=other.test) but vpnlb presents SHA-256 " + vpnHash)
                .endsWith("install the same certificate on the member");
        assertThat(bad.health()).isEqualTo(Health.UP);
        assertThat(good.certificateMismatch()).isNull();
        String metrics = balancer.metrics().scrape();
        assertThat(metrics).contains(mismatchGauge(different.port()) + " 1.0");
        assertThat(metrics).contains(mismatchGauge(same.port()) + " 0.0");
        JsonNode listed = adminMembers();
        assertThat(lastCheck(listed, different.port())).contains("certificate mismatch", otherHash, vpnHash);
        assertThat(lastCheck(listed, same.port())).isEqualTo("SSTP HEAD over HTTPS answered 401");

        // The member gets vpnlb's certificate: the report ends.
        int port = different.port();
        different.close();
        members.add(SstpStatusMember.tls("fixed", TcpProxyIT.serverContext(vpn.leaf()), port));
        await().atMost(Duration.ofSeconds(10)).until(() -> bad.certificateMismatch() == null
                && bad.lastCheck().equals("SSTP HEAD over HTTPS answered 401"));
        assertThat(balancer.metrics().scrape()).contains(mismatchGauge(port) + " 0.0");
    }

    private static String mismatchGauge(int port) {
        return "vpnlb_member_certificate_mismatch{member=\"127.0.0.1:" + port + "\",pool=\"" + POOL + "\"}";
    }

    private JsonNode adminMembers() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + balancer.adminAddress().getPort() + "/api/v1/pools/" + POOL + "/members"))
                        .header("Authorization", "Bearer " + Files.readString(dir.resolve("admin.token")).strip())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body()).path("members");
    }

    private static String lastCheck(JsonNode members, int port) {
        for (JsonNode member : members) {
            if (member.path("port").asInt() == port) {
                return member.path("last_check").asText();
            }
        }
        throw new AssertionError("no member with port " + port + " in " + members);
    }
}

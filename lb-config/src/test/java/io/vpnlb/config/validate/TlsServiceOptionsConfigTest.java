package io.vpnlb.config.validate;

import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.StatusRange;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings of TLS services beyond the mode: TLS-session persistence, NULL encryption toward IP-HTTPS members,
 * PROXY protocol per pool, the sstp and tls health checks, and HTTPS and a token for the admin endpoint.
 */
class TlsServiceOptionsConfigTest {

    private static LoadResult load(String type, String tls, String poolExtra, String admin) throws Exception {
        return ConfigLoader.parse(String.join("\n",
                admin,
                "services:",
                "  - name: svc",
                "    type: " + type,
                "    listen: 127.0.0.1",
                "    ports: " + (type.equals("ikev2") ? "[\"10500:500\", \"10501:4500\"]" : "[\"443:443\"]"),
                "    pool: p",
                tls.isEmpty() ? "" : "    tls: " + tls,
                "pools:",
                "  - name: p",
                "    members:",
                "      - { address: 127.0.1.1 }",
                poolExtra,
                ""), "inline.yaml");
    }

    private static List<String> violations(String type, String tls, String poolExtra) throws Exception {
        return load(type, tls, poolExtra, "").violations().stream().map(Violation::toString).toList();
    }

    @Test
    void sessionPersistenceDefaultsToTenMinutesAndZeroTurnsItOff() throws Exception {
        LbConfig config = load("ip-https", "{ mode: terminate, certificate: /c.pem, client-auth: none }", "", "")
                .config();
        assertThat(config.services().get(0).tls().effectiveSessionPersistence()).isEqualTo(Duration.ofMinutes(10));
        config = load("sstp", "{ mode: passthrough, session-persistence: 0s }", "", "").config();
        assertThat(config.services().get(0).tls().effectiveSessionPersistence()).isZero();
        assertThat(violations("sstp", "{ mode: passthrough, session-persistence: soon }", "")).singleElement()
                .asString().startsWith("services[svc].tls.session-persistence: soon (expected: ");
    }

    @Test
    void nullEncryptionTowardMembersIsTheIpHttpsReencryptDefaultAndNowhereElse() throws Exception {
        String reencrypt = "{ mode: reencrypt, certificate: /c.pem, client-auth: none";
        TlsConfig tls = load("ip-https", reencrypt + " }", "", "").config().services().get(0).tls();
        assertThat(tls.effectiveMemberNullEncryption(ServiceType.IP_HTTPS)).isTrue();
        tls = load("ip-https", reencrypt + ", member-null-encryption: false }", "", "").config().services().get(0)
                .tls();
        assertThat(tls.effectiveMemberNullEncryption(ServiceType.IP_HTTPS)).isFalse();
        assertThat(violations("sstp", "{ mode: reencrypt, certificate: /c.pem, member-null-encryption: true }", ""))
                .containsExactly("services[svc].tls.member-null-encryption: true (expected: only on ip-https services "
                        + "in tls mode reencrypt (the connection to the member carries IP-HTTPS, whose payload is "
                        + "already IPsec))");
    }

    @Test
    void proxyProtocolIsPerPoolAndOnlyForTcpServices() throws Exception {
        assertThat(load("sstp", "{ mode: passthrough }", "    proxy-protocol: v2", "").config().pools().get(0)
                .proxyProtocol()).isEqualTo(ProxyProtocol.V2);
        assertThat(load("sstp", "{ mode: passthrough }", "", "").config().pools().get(0).proxyProtocol())
                .isEqualTo(ProxyProtocol.NONE);
        assertThat(violations("ikev2", "", "    proxy-protocol: v2")).containsExactly(
                "pools[p].proxy-protocol: v2 (expected: none for a pool used by services[svc] (PROXY protocol is for "
                        + "TCP services))");
        assertThat(violations("sstp", "{ mode: passthrough }", "    proxy-protocol: v1")).singleElement().asString()
                .startsWith("pools[p].proxy-protocol: v1 (expected: one of none, v2");
    }

    @Test
    void sstpChecksTakeHttpsAndExpectedStatuses() throws Exception {
        HealthCheckConfig check = load("sstp", "{ mode: passthrough }",
                "    health-check: { type: sstp, https: true, expect-status: [200-299, 401, 403] }", "")
                .config().pools().get(0).healthCheck();
        assertThat(check.https()).isTrue();
        assertThat(check.expectStatus()).containsExactly(new StatusRange(200, 299), new StatusRange(401, 401),
                new StatusRange(403, 403));
        check = load("sstp", "{ mode: passthrough }", "    health-check: { type: sstp, expect-status: \"200, 401\" }",
                "").config().pools().get(0).healthCheck();
        assertThat(check.https()).isNull();
        assertThat(check.expectStatus()).containsExactly(new StatusRange(200, 200), new StatusRange(401, 401));
        assertThat(load("sstp", "{ mode: passthrough }", "    health-check: { type: sstp }", "").config().pools()
                .get(0).healthCheck().expectStatus()).isEqualTo(StatusRange.DEFAULT_SSTP);
        assertThat(violations("sstp", "{ mode: passthrough }",
                "    health-check: { type: sstp, expect-status: [200-299, 700] }")).containsExactly(
                "pools[p].health-check.expect-status: 700 (expected: HTTP statuses such as [200-299, 401] (each "
                        + "100..599))");
        assertThat(violations("sstp", "{ mode: passthrough }",
                "    health-check: { type: tcp, https: false, expect-status: [200] }")).containsExactly(
                "pools[p].health-check.https: false (expected: no https with check type tcp (it is a setting of sstp "
                        + "checks))",
                "pools[p].health-check.expect-status: [200] (expected: no expect-status with check type tcp (it is a "
                        + "setting of sstp checks))");
    }

    @Test
    void tlsCheckFitsTlsServicesOnly() throws Exception {
        assertThat(load("sstp", "{ mode: passthrough }", "    health-check: { type: tls }", "").config().pools()
                .get(0).healthCheck().type()).isEqualTo(HealthCheckType.TLS);
        assertThat(violations("ikev2", "", "    health-check: { type: tls }")).singleElement().asString()
                .startsWith("pools[p].health-check.type: tls (expected: one of none, ike, udp for a pool used by");
    }

    @Test
    void adminTlsNeedsACertificateAndMetricsTokenIsOff() throws Exception {
        LoadResult result = load("sstp", "{ mode: passthrough }", "",
                "admin: { listen: 127.0.0.1:9090, tls: { certificate: /etc/vpnlb/admin.pem }, metrics-token: true }");
        assertThat(result.violations()).isEmpty();
        assertThat(result.config().admin().tls().certificate()).isEqualTo("/etc/vpnlb/admin.pem");
        assertThat(result.config().admin().metricsToken()).isTrue();
        assertThat(load("sstp", "{ mode: passthrough }", "", "").config().admin().metricsToken()).isFalse();
        assertThat(load("sstp", "{ mode: passthrough }", "", "admin: { tls: { password-file: /p } }").violations()
                .stream().map(Violation::toString)).containsExactly(
                "admin.tls.certificate: missing (expected: a certificate file (.pem, .cer or .pfx) with its private "
                        + "key)");
    }
}

package io.vpnlb.config.validate;

import io.vpnlb.config.ClientAuth;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.Violation;
import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** tls.client-auth, tls.client-ca and tls.crl: IP-HTTPS client-certificate preauthentication settings. */
class TlsClientAuthConfigTest {

    private static List<String> violations(String type, String tls) throws Exception {
        LoadResult result = ConfigLoader.parse(String.join("\n",
                "services:",
                "  - name: svc",
                "    type: " + type,
                "    listen: 127.0.0.1",
                "    ports: [\"443:443\"]",
                "    pool: p",
                "    tls: " + tls,
                "pools:",
                "  - name: p",
                "    members:",
                "      - { address: 127.0.1.1 }",
                ""), "inline.yaml");
        return result.violations().stream().map(Violation::toString).toList();
    }

    @Test
    void ipHttpsTerminateRequiresClientCertificatesByDefault() throws Exception {
        assertThat(violations("ip-https", "{ mode: terminate, certificate: /c.pem }")).containsExactly(
                "services[svc].tls.client-ca: missing (expected: a CA bundle (.pem or .cer) that client certificates "
                        + "chain to, for client-auth required (the default for ip-https; set client-auth: none to turn "
                        + "preauthentication off))");
        assertThat(violations("ip-https", "{ mode: terminate, certificate: /c.pem, client-ca: /ca.pem, crl: /x.crl }"))
                .isEmpty();
        assertThat(violations("ip-https", "{ mode: terminate, certificate: /c.pem, client-auth: none }")).isEmpty();
        assertThat(TlsConfig.defaultClientAuth(ServiceType.IP_HTTPS, io.vpnlb.config.TlsMode.TERMINATE))
                .isEqualTo(ClientAuth.REQUIRED);
        assertThat(TlsConfig.defaultClientAuth(ServiceType.SSTP, io.vpnlb.config.TlsMode.TERMINATE))
                .isEqualTo(ClientAuth.NONE);
    }

    @Test
    void passthroughCannotCheckClientCertificatesAndBadValuesAreNamed() throws Exception {
        assertThat(violations("ip-https", "{ mode: passthrough, client-auth: required, client-ca: /ca.pem }"))
                .containsExactly(
                        "services[svc].tls.client-auth: required (expected: none with tls mode passthrough (vpnlb does "
                                + "not see the TLS handshake))",
                        "services[svc].tls.client-ca: /ca.pem (expected: no client-ca with tls mode passthrough)");
        assertThat(violations("sstp", "{ mode: terminate, certificate: /c.pem, client-auth: sometimes }"))
                .singleElement().asString().startsWith("services[svc].tls.client-auth: sometimes (expected: ");
        assertThat(violations("sstp", "{ mode: terminate, certificate: /c.pem, crl: /x.crl }")).containsExactly(
                "services[svc].tls.crl: /x.crl (expected: no crl with client-auth none)");
    }
}

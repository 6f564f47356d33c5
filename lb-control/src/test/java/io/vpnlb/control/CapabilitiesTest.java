package io.vpnlb.control;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CapabilitiesTest {

    @Test
    void readsTheEffectiveSetFromProcStatus() {
        List<String> root = List.of("Name:\tjava", "CapInh:\t0000000000000000", "CapEff:\t000001ffffffffff");
        List<String> bindOnly = List.of("CapEff:\t0000000000000400");

        assertThat(Capabilities.effective(root, Capabilities.CAP_NET_ADMIN)).isTrue();
        assertThat(Capabilities.effective(bindOnly, Capabilities.CAP_NET_BIND_SERVICE)).isTrue();
        assertThat(Capabilities.effective(bindOnly, Capabilities.CAP_NET_ADMIN)).isFalse();
        assertThat(Capabilities.effective(List.of("Name:\tjava"), Capabilities.CAP_NET_ADMIN)).isFalse();
    }

    @Test
    void transparentModeNeedsANativeTransportAndNetAdmin() {
        assertThat(Capabilities.transparentProblem("ikev2", "nio", false, true))
                .startsWith("service ikev2: source-nat: false (transparent mode) needs the epoll or io_uring");
        assertThat(Capabilities.transparentProblem("ikev2", "epoll", true, false))
                .contains("needs CAP_NET_ADMIN").contains("deploy/transparent-routing.sh");
        assertThat(Capabilities.transparentProblem("ikev2", "io_uring", true, true)).isNull();
    }

    private static ServiceConfig tls(String name, ServiceType type, TlsMode mode, Boolean memberNullEncryption) {
        TlsConfig tls = new TlsConfig(mode, "/etc/vpnlb/da.pfx", null, null, "/etc/vpnlb/ca.pem", null, null,
                memberNullEncryption);
        return new ServiceConfig(name, type, "0.0.0.0", List.of(PortMapping.same(443)), "pool", true,
                PersistenceConfig.DEFAULT, ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT,
                ServiceConfig.DEFAULT_MAX_SESSIONS, tls);
    }

    @Test
    void nullEncryptionTowardMembersIsAViolationWhereTheTlsProviderHasNone() {
        LbConfig config = TestConfigs.config(List.of(
                        tls("da", ServiceType.IP_HTTPS, TlsMode.REENCRYPT, null),
                        tls("da-explicit", ServiceType.IP_HTTPS, TlsMode.REENCRYPT, true),
                        tls("da-off", ServiceType.IP_HTTPS, TlsMode.REENCRYPT, false),
                        tls("da-terminate", ServiceType.IP_HTTPS, TlsMode.TERMINATE, null),
                        tls("sstp", ServiceType.SSTP, TlsMode.REENCRYPT, null)),
                TestConfigs.pool("pool", Algorithm.ROUND_ROBIN, TestConfigs.member("10.0.0.11", 100, 1)));

        List<Violation> violations = Capabilities.memberNullEncryptionProblems(config, "BoringSSL has none");

        assertThat(violations).extracting(Violation::toString).containsExactly(
                "services[da].tls.member-null-encryption: true (the default for ip-https in tls mode reencrypt) "
                        + "(expected: false here: the TLS provider does not offer NULL-encryption cipher suites "
                        + "(BoringSSL has none); set tls.member-null-encryption: false)",
                "services[da-explicit].tls.member-null-encryption: true (expected: false here: the TLS provider "
                        + "does not offer NULL-encryption cipher suites (BoringSSL has none); set "
                        + "tls.member-null-encryption: false)");
        assertThat(Capabilities.memberNullEncryptionProblems(config, null)).isEmpty();
    }
}

package io.vpnlb.control.health;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.HealthCheckType;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.StatusRange;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.config.cert.CertificateBundle;
import io.vpnlb.config.cert.CertificateFixtures;
import io.vpnlb.config.cert.CertificateFormat;
import io.vpnlb.control.TestConfigs;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How checks are set up from the services using a pool, and the reencrypt certificate comparison. */
class HealthCheckerTest {

    private static final HealthCheckConfig AUTO = new HealthCheckConfig(HealthCheckType.SSTP,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);

    private static ServiceConfig sstp(String name, TlsMode mode) {
        return new ServiceConfig(name, ServiceType.SSTP, "127.0.0.1", List.of(PortMapping.same(443)), "vpn", true,
                new PersistenceConfig(PersistenceScope.VIP, Duration.ofMinutes(10), 1000),
                ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, ServiceConfig.DEFAULT_MAX_SESSIONS,
                mode == null ? null : new TlsConfig(mode, mode == TlsMode.PASSTHROUGH ? null : "vpn.pfx", null));
    }

    private static HealthCheckConfig https(Boolean https) {
        return new HealthCheckConfig(HealthCheckType.SSTP, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, https,
                StatusRange.DEFAULT_SSTP);
    }

    @Test
    void autoSpeaksPlainHttpOnlyWhenEveryServiceTerminatesTls() {
        assertThat(HealthChecker.https(AUTO, List.of(sstp("a", TlsMode.TERMINATE)))).isFalse();
        assertThat(HealthChecker.https(AUTO, List.of(sstp("a", TlsMode.TERMINATE), sstp("b", TlsMode.TERMINATE))))
                .isFalse();
        assertThat(HealthChecker.https(AUTO, List.of(sstp("a", TlsMode.PASSTHROUGH)))).isTrue();
        assertThat(HealthChecker.https(AUTO, List.of(sstp("a", TlsMode.REENCRYPT)))).isTrue();
        assertThat(HealthChecker.https(AUTO, List.of(sstp("a", null)))).isTrue();
        assertThat(HealthChecker.https(AUTO, List.of(sstp("a", TlsMode.TERMINATE), sstp("b", TlsMode.PASSTHROUGH))))
                .isTrue();
        assertThat(HealthChecker.https(AUTO, List.of())).isTrue();
    }

    @Test
    void anExplicitSettingWins() {
        assertThat(HealthChecker.https(https(true), List.of(sstp("a", TlsMode.TERMINATE)))).isTrue();
        assertThat(HealthChecker.https(https(false), List.of(sstp("a", TlsMode.REENCRYPT)))).isFalse();
    }

    @Test
    void onlyReencryptServicesHaveTheirMembersCertificatesCompared() {
        assertThat(HealthChecker.certificateWatch("vpn", List.of(sstp("a", TlsMode.TERMINATE),
                sstp("b", TlsMode.PASSTHROUGH)), name -> null)).isNull();
        CertificateWatch watch = HealthChecker.certificateWatch("vpn", List.of(sstp("a", TlsMode.TERMINATE),
                sstp("b", TlsMode.REENCRYPT)), name -> null);
        assertThat(watch.services()).containsExactly("b");
    }

    @Test
    void aMismatchIsRecordedWithBothHashesAndClearedWhenTheCertificatesAgree() {
        CertificateFixtures.Issued vpn = CertificateFixtures.selfSigned("vpn.test");
        CertificateFixtures.Issued other = CertificateFixtures.selfSigned("other.test");
        CertificateBundle presented = new CertificateBundle(Path.of("vpn.pem"), CertificateFormat.PEM,
                List.of(vpn.certificate()), vpn.keys().getPrivate(), List.of());
        PoolManager pools = new PoolManager(TestConfigs.config(List.of(),
                TestConfigs.pool("vpn", Algorithm.ROUND_ROBIN, TestConfigs.member("127.0.0.1", 100, 1))));
        MemberState member = pools.members("vpn").get(0);
        CertificateWatch watch = new CertificateWatch("vpn", List.of("sstp"), Map.of("sstp", presented)::get);

        String mismatch = watch.compare(member, other.certificate());

        String memberHash = CertificateBundle.hex(CertificateBundle.digest("SHA-256", other.certificate()));
        String vpnHash = CertificateBundle.hex(presented.sha256());
        assertThat(mismatch).isEqualTo("certificate mismatch: the member presents SHA-256 " + memberHash
                + " (CN=other.test) but vpnlb presents SHA-256 " + vpnHash + " (CN=vpn.test) on reencrypt service "
                + "sstp: SSTP clients' crypto binding carries the hash of vpnlb's certificate and will fail on this "
                + "member; install the same certificate on the member");
        assertThat(member.certificateMismatch()).isEqualTo(mismatch);
        assertThat(watch.compare(member, other.certificate())).isEqualTo(mismatch);

        assertThat(watch.compare(member, vpn.certificate())).isNull();
        assertThat(member.certificateMismatch()).isNull();
    }
}

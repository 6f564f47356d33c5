package io.vpnlb.config;

import io.vpnlb.config.io.ConfigLoader;
import io.vpnlb.config.io.LoadResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class IkeConfigTest {

    private static LoadResult load(String serviceType, String ikeSection) throws Exception {
        String ports = serviceType.equals("udp") ? "    ports: [1701]\n" : "";
        return ConfigLoader.parse("services:\n"
                + "  - name: vpn\n"
                + "    type: " + serviceType + "\n"
                + "    listen: 203.0.113.10\n"
                + ports
                + "    pool: vpn\n"
                + ikeSection
                + "pools:\n"
                + "  - name: vpn\n"
                + "    members:\n"
                + "      - { address: 10.0.0.11 }\n", "test.yaml");
    }

    @Test
    void defaultsApplyWithoutAnIkeSection() throws Exception {
        LoadResult result = load("ikev2", "");

        assertThat(result.violations()).isEmpty();
        assertThat(result.config().services().get(0).ike()).isEqualTo(IkeConfig.DEFAULT);
        assertThat(IkeConfig.DEFAULT.spiRouting()).isTrue();
    }

    @Test
    void everyKeyOfTheIkeSectionLoads() throws Exception {
        LoadResult result = load("ikev2", "    ike: { spi-routing: false, max-half-open: 500, "
                + "max-half-open-per-source: 4, half-open-timeout: 10s, new-sessions-per-source: 7 }\n");

        assertThat(result.violations()).isEmpty();
        assertThat(result.config().services().get(0).ike())
                .isEqualTo(new IkeConfig(false, 500, 4, Duration.ofSeconds(10), 7));
    }

    @Test
    void badIkeSettingsAreViolations() throws Exception {
        LoadResult result = load("ikev2", "    ike: { max-half-open: 5, max-half-open-per-source: 6, "
                + "half-open-timeout: 0s, spi-routeing: true }\n");

        assertThat(result.violations()).extracting(Violation::toString).containsExactlyInAnyOrder(
                "services[vpn].ike.spi-routeing: unknown key (expected: one of spi-routing, max-half-open, "
                        + "max-half-open-per-source, half-open-timeout, new-sessions-per-source; did you mean "
                        + "spi-routing?)",
                "services[vpn].ike.half-open-timeout: 0s (expected: a positive duration such as 30s, 10m, 1h)",
                "services[vpn].ike.max-half-open-per-source: 6 (expected: at most ike.max-half-open (5))");
    }

    @Test
    void ikeBoundsMustBePositive() throws Exception {
        LoadResult result = load("ikev2", "    ike: { max-half-open: 0, max-half-open-per-source: 0, "
                + "new-sessions-per-source: 0 }\n");

        assertThat(result.violations()).extracting(Violation::toString).containsExactlyInAnyOrder(
                "services[vpn].ike.max-half-open: 0 (expected: 1..10000000)",
                "services[vpn].ike.max-half-open-per-source: 0 (expected: 1..10000000)",
                "services[vpn].ike.new-sessions-per-source: 0 (expected: 1..1000000)");
    }

    @Test
    void anIkeSectionOnAnotherServiceTypeIsAViolation() throws Exception {
        LoadResult result = load("udp", "    ike: { spi-routing: false }\n");

        assertThat(result.violations()).extracting(Violation::toString).containsExactly(
                "services[vpn].ike: set (expected: no ike section; IKEv2 awareness applies to ikev2 services only)");
    }
}

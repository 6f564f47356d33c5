package io.vpnlb.control;

import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OpenFilesCheckTest {

    private static ServiceConfig service(String name, ServiceType type, int maxSessions) {
        return new ServiceConfig(name, type, "203.0.113.10", List.of(PortMapping.same(443)), "vpn", true,
                PersistenceConfig.DEFAULT, ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, maxSessions, null);
    }

    @Test
    void udpSessionsTakeOneDescriptorTcpConnectionsTwoPlusTheReserve() {
        List<ServiceConfig> services = List.of(service("ikev2", ServiceType.IKEV2, 1000),
                service("udp", ServiceType.UDP, 500), service("sstp", ServiceType.SSTP, 200));
        long needed = 1000 + 500 + 2 * 200 + 256;

        assertThat(OpenFilesCheck.warning(services, needed, 256)).isNull();
        assertThat(OpenFilesCheck.warning(services, needed - 1, 256)).isEqualTo("open files limit 2155 is below "
                + "what max-sessions allow: 1500 UDP sessions (one socket each) + 200 TCP connections (two sockets "
                + "each) + 256 kept in reserve = 2156; new UDP sessions are refused (drop reason fd_reserve) while "
                + "fewer than 256 remain free. Raise the limit (LimitNOFILE=, ulimit -n) or lower max-sessions");
    }

    @Test
    void anUnknownLimitWarnsOfNothing() {
        List<ServiceConfig> services = List.of(service("udp", ServiceType.UDP, 10_000_000));

        assertThat(OpenFilesCheck.warning(services, 0, 256)).isNull();
        assertThat(OpenFilesCheck.warning(services, -1, 256)).isNull();
    }
}

package io.vpnlb.control;

import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.Algorithm;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.MemberConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.Transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small configurations built from records, for control unit tests. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static MemberConfig member(String address, int weight, int priority) {
        return new MemberConfig(address, MemberConfig.PORT_FROM_SERVICE, weight, priority);
    }

    public static PoolConfig pool(String name, Algorithm algorithm, MemberConfig... members) {
        return new PoolConfig(name, algorithm, List.of(members), HealthCheckConfig.NONE,
                PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE);
    }

    public static ServiceConfig ikev2(String name, String listen, String pool, PersistenceScope scope) {
        return new ServiceConfig(name, ServiceType.IKEV2, listen, List.of(PortMapping.same(500), PortMapping.same(4500)),
                pool, true, new PersistenceConfig(scope, Duration.ofMinutes(10), 1000),
                ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, ServiceConfig.DEFAULT_MAX_SESSIONS, null);
    }

    public static ServiceConfig udp(String name, String listen, int port, String pool, PersistenceScope scope) {
        return new ServiceConfig(name, ServiceType.UDP, listen, List.of(PortMapping.same(port)),
                pool, true, new PersistenceConfig(scope, Duration.ofMinutes(10), 1000),
                ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT, ServiceConfig.DEFAULT_MAX_SESSIONS, null);
    }

    public static LbConfig config(List<ServiceConfig> services, PoolConfig... pools) {
        return new LbConfig(Transport.AUTO, AdminConfig.DEFAULT, services, new ArrayList<>(List.of(pools)));
    }
}

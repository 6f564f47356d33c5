package io.vpnlb.control.publish;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.HealthCheckConfig;
import io.vpnlb.config.PoolConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.PortMapping;
import io.vpnlb.config.ProxyProtocol;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.ServiceType;
import io.vpnlb.config.TlsConfig;
import io.vpnlb.config.TlsMode;
import io.vpnlb.control.pool.AdminState;
import io.vpnlb.control.pool.Health;
import io.vpnlb.control.pool.PoolManager;
import io.vpnlb.dataplane.snapshot.DataPlaneSnapshot;
import io.vpnlb.dataplane.snapshot.MemberSnapshot;
import io.vpnlb.dataplane.snapshot.PoolSnapshot;
import io.vpnlb.dataplane.snapshot.ServiceSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.ikev2;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static org.assertj.core.api.Assertions.assertThat;

class SnapshotBuilderTest {

    @Test
    void onlyTheHighestPriorityGroupWithEligibleMembersIsSelectable() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV,
                        member("10.0.0.11", 100, 1), member("10.0.0.12", 100, 1), member("10.1.0.11", 100, 2)));

        PoolSnapshot pool = new PoolManager(config).snapshot().service("ikev2").pool();

        assertThat(pool.members()).hasSize(3);
        assertThat(pool.selectable()).extracting(MemberSnapshot::key)
                .containsExactly("10.0.0.11:0", "10.0.0.12:0");
        assertThat(pool.maglev().memberCount()).isEqualTo(2);
    }

    @Test
    void lowerPriorityGroupServesWhenNoHigherMemberIsEligible() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", 0, 1), member("10.1.0.11", 100, 2)));

        PoolSnapshot pool = new PoolManager(config).snapshot().service("ikev2").pool();

        assertThat(pool.selectable()).extracting(MemberSnapshot::key).containsExactly("10.1.0.11:0");
    }

    @Test
    void drainedMembersServeTheirClientsButTakeNoNewOnesAndDownOrMaintMembersServeNobody() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", 100, 1), member("10.0.0.12", 100, 1),
                        member("10.0.0.13", 100, 1), member("10.1.0.11", 100, 2)));
        PoolManager pools = new PoolManager(config);

        pools.adminState(pools.member("vpn", "10.0.0.11:0"), AdminState.DRAIN);
        pools.health(pools.member("vpn", "10.0.0.12:0"), Health.DOWN);
        pools.adminState(pools.member("vpn", "10.0.0.13:0"), AdminState.MAINT);
        PoolSnapshot pool = pools.snapshot().service("ikev2").pool();

        assertThat(pool.members()).extracting(m -> m.key() + " " + m.eligible() + " " + m.serving())
                .containsExactly("10.0.0.11:0 false true", "10.0.0.12:0 false false", "10.0.0.13:0 false false",
                        "10.1.0.11:0 true true");
        // No priority-1 member takes new clients, so priority 2 does.
        assertThat(pool.selectable()).extracting(MemberSnapshot::key).containsExactly("10.1.0.11:0");
    }

    @Test
    void poolsCarryTheirProxyProtocolHeader() {
        ServiceConfig sstp = new ServiceConfig("sstp", ServiceType.SSTP, "203.0.113.10", List.of(PortMapping.same(443)),
                "rras", true, PersistenceConfig.DEFAULT, ServiceConfig.DEFAULT_SESSION_IDLE_TIMEOUT,
                ServiceConfig.DEFAULT_MAX_SESSIONS, new TlsConfig(TlsMode.PASSTHROUGH, null, null));
        PoolConfig rras = new PoolConfig("rras", Algorithm.LEAST_SESSIONS, List.of(member("10.0.0.21", 100, 1)),
                HealthCheckConfig.NONE, PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE, 1, ProxyProtocol.V2);
        LbConfig config = config(List.of(sstp, ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)), rras,
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", 100, 1)));

        DataPlaneSnapshot snapshot = new PoolManager(config).snapshot();

        assertThat(snapshot.service("sstp").pool().proxyProtocol()).isEqualTo(ProxyProtocol.V2);
        assertThat(snapshot.service("ikev2").pool().proxyProtocol()).isEqualTo(ProxyProtocol.NONE);
    }

    @Test
    void priorityGroupActivationAddsLowerGroupsUntilEnoughMembersServe() {
        PoolConfig pool = new PoolConfig("vpn", Algorithm.MAGLEV, List.of(member("10.0.0.11", 100, 1),
                member("10.0.0.12", 100, 1), member("10.1.0.11", 100, 2), member("10.1.0.12", 100, 2),
                member("10.2.0.11", 100, 3)), HealthCheckConfig.NONE, PoolConfig.DEFAULT_MAGLEV_TABLE_SIZE, 2);
        PoolManager pools = new PoolManager(config(List.of(ikev2("ikev2", "203.0.113.10", "vpn",
                PersistenceScope.VIP)), pool));
        assertThat(pools.snapshot().service("ikev2").pool().selectable()).extracting(MemberSnapshot::key)
                .containsExactly("10.0.0.11:0", "10.0.0.12:0");

        pools.health(pools.member("vpn", "10.0.0.12:0"), Health.DOWN);

        // One priority-1 member is fewer than min-up-members 2: the whole priority-2 group joins it.
        assertThat(pools.snapshot().service("ikev2").pool().selectable()).extracting(MemberSnapshot::key)
                .containsExactly("10.0.0.11:0", "10.1.0.11:0", "10.1.0.12:0");
    }

    @Test
    void servicesListenersAndVersionsComeFromTheConfiguration() {
        LbConfig config = config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.0.0.11", 100, 1)));
        PoolManager pools = new PoolManager(config);
        DataPlaneSnapshot first = pools.snapshot();

        pools.weight(pools.members("vpn").get(0), 50);
        DataPlaneSnapshot second = pools.snapshot();

        ServiceSnapshot service = first.service(0);
        assertThat(service.listenAddress().getHostAddress()).isEqualTo("203.0.113.10");
        assertThat(service.listeners()).extracting(l -> l.name() + ">" + l.memberPort())
                .containsExactly("ikev2/500>500", "ikev2/4500>4500");
        assertThat(service.pool().maglev()).isNull();
        assertThat(second.version()).isGreaterThan(first.version());
        assertThat(second.service(0).pool().members().get(0).weight()).isEqualTo(50);
        assertThat(first.service(0).pool().members().get(0).weight()).isEqualTo(100);
        // Live counters belong to the member, not to one snapshot.
        assertThat(second.service(0).pool().members().get(0).stats())
                .isSameAs(first.service(0).pool().members().get(0).stats());
    }
}

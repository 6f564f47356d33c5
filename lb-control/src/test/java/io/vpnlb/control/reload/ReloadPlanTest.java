package io.vpnlb.control.reload;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.AdminConfig;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.config.ServiceConfig;
import io.vpnlb.config.Transport;
import io.vpnlb.config.Violation;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.ikev2;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static io.vpnlb.control.TestConfigs.udp;
import static org.assertj.core.api.Assertions.assertThat;

class ReloadPlanTest {

    private static final LbConfig RUNNING = config(
            List.of(ikev2("ikev2", "10.0.0.1", "vpn", PersistenceScope.VIP),
                    udp("dns", "10.0.0.1", 53, "vpn", PersistenceScope.SERVICE)),
            pool("vpn", Algorithm.MAGLEV, member("10.1.0.1", 100, 1), member("10.1.0.2", 100, 1)));

    @Test
    void poolAndTimeoutChangesAreLiveAndServicesKeepTheirRunningOrder() {
        ServiceConfig dns = RUNNING.services().get(1);
        ServiceConfig ike = RUNNING.services().get(0);
        ServiceConfig ikeLonger = new ServiceConfig(ike.name(), ike.type(), ike.listen(), ike.ports(), "vpn2",
                ike.sourceNat(), new PersistenceConfig(PersistenceScope.VIP, Duration.ofMinutes(20), 5000),
                Duration.ofMinutes(9), 50, null);
        LbConfig next = config(List.of(dns, ikeLonger),
                pool("vpn", Algorithm.ROUND_ROBIN, member("10.1.0.1", 50, 1), member("10.1.0.3", 100, 2)),
                pool("vpn2", Algorithm.MAGLEV, member("10.2.0.1", 100, 1)));

        ReloadPlan plan = ReloadPlan.of(RUNNING, next);

        assertThat(plan.violations()).isEmpty();
        assertThat(plan.effective().services()).extracting(ServiceConfig::name).containsExactly("ikev2", "dns");
        assertThat(plan.effective().pools()).isEqualTo(next.pools());
        assertThat(plan.serviceChanges()).containsExactly(
                "service ikev2: pool vpn -> vpn2",
                "service ikev2: session-idle-timeout 5m -> 9m",
                "service ikev2: max-sessions 100000 -> 50",
                "service ikev2: persistence.timeout 10m -> 20m",
                "service ikev2: persistence.max-entries 1000 -> 5000");
    }

    @Test
    void onlyProcessWideChangesNeedARestart() {
        LbConfig next = new LbConfig(Transport.NIO, new AdminConfig("127.0.0.1:9191", "/tmp/other.token"),
                RUNNING.services(), RUNNING.pools());

        ReloadPlan plan = ReloadPlan.of(RUNNING, next);

        assertThat(plan.effective()).isNull();
        assertThat(plan.violations()).extracting(Violation::toString).containsExactly(
                "transport: nio (expected: the running auto; changing it needs a restart)",
                "admin.listen: 127.0.0.1:9191 (expected: the running 127.0.0.1:9090; changing it needs a restart)",
                "admin.token-file: /tmp/other.token (expected: the running /etc/vpnlb/admin.token; changing it "
                        + "needs a restart)");
    }

    @Test
    void servicesAreAddedRemovedAndReplacedAndTheRestStaysInPlace() {
        ServiceConfig ike = RUNNING.services().get(0);
        ServiceConfig moved = new ServiceConfig(ike.name(), ike.type(), "10.0.0.2", ike.ports(), ike.pool(), false,
                new PersistenceConfig(PersistenceScope.NONE, Duration.ofMinutes(10), 1000),
                ike.sessionIdleTimeout(), ike.maxSessions(), null);
        ServiceConfig ntp = udp("ntp", "10.0.0.1", 123, "vpn", PersistenceScope.NONE);
        LbConfig next = config(List.of(ntp, moved), RUNNING.pools().toArray(new io.vpnlb.config.PoolConfig[0]));

        ReloadPlan plan = ReloadPlan.of(RUNNING, next);

        assertThat(plan.violations()).isEmpty();
        assertThat(plan.effective().services()).extracting(ServiceConfig::name).containsExactly("ikev2", "ntp");
        assertThat(plan.removed()).containsExactly("ikev2", "dns");
        assertThat(plan.added()).containsExactly("ikev2", "ntp");
        assertThat(plan.serviceChanges()).containsExactly(
                "service ikev2 replaced (listen 10.0.0.1 -> 10.0.0.2, source-nat true -> false): its sessions and "
                        + "connections closed, its listeners bound again",
                "service ikev2: persistence.scope vip -> none",
                "service dns removed: its listeners, sessions and connections closed",
                "service ntp added (udp on 10.0.0.1 ports [123])");
    }

    @Test
    void anIdenticalConfigurationPlansNoChange() {
        ReloadPlan plan = ReloadPlan.of(RUNNING, RUNNING);
        assertThat(plan.violations()).isEmpty();
        assertThat(plan.serviceChanges()).isEmpty();
        assertThat(plan.effective()).isEqualTo(RUNNING);
    }
}

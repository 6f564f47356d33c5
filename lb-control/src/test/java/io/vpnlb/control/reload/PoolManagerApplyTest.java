package io.vpnlb.control.reload;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceScope;
import io.vpnlb.control.pool.AdminState;
import io.vpnlb.control.pool.Health;
import io.vpnlb.control.pool.MemberState;
import io.vpnlb.control.pool.PoolManager;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.ikev2;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static org.assertj.core.api.Assertions.assertThat;

class PoolManagerApplyTest {

    private static LbConfig withMembers(io.vpnlb.config.MemberConfig... members) {
        return config(List.of(ikev2("ikev2", "10.0.0.1", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV, members));
    }

    @Test
    void keptMembersKeepTheirStateChangedOnesKeepAdminStateAndCountersRemovedOnesAreEvicted() {
        PoolManager pools = new PoolManager(withMembers(member("10.1.0.1", 100, 1), member("10.1.0.2", 100, 1),
                member("10.1.0.3", 100, 1)));
        List<String> evicted = new ArrayList<>();
        pools.evictor((pool, key) -> evicted.add(pool + "/" + key));
        MemberState kept = pools.member("vpn", "10.1.0.1:0");
        MemberState changed = pools.member("vpn", "10.1.0.2:0");
        pools.adminState(changed, AdminState.DRAIN);
        pools.weight(kept, 40);
        changed.stats().sessionOpened();
        long version = pools.snapshot().version();

        List<String> changes = pools.apply(withMembers(member("10.1.0.1", 100, 1), member("10.1.0.2", 100, 2),
                member("10.1.0.4", 100, 1)));

        assertThat(changes).containsExactly(
                "pool vpn: member 10.1.0.2:0 weight 100 -> 100, priority 1 -> 2",
                "pool vpn: member 10.1.0.4:0 added (weight 100, priority 1)",
                "pool vpn: member 10.1.0.3:0 removed");
        assertThat(pools.snapshot().version()).isEqualTo(version + 1);
        assertThat(pools.member("vpn", "10.1.0.1:0")).isSameAs(kept);
        assertThat(kept.weight()).as("operator weight survives an unchanged configured weight").isEqualTo(40);
        MemberState moved = pools.member("vpn", "10.1.0.2:0");
        assertThat(moved).isNotSameAs(changed);
        assertThat(moved.config().priority()).isEqualTo(2);
        assertThat(moved.adminState()).isEqualTo(AdminState.DRAIN);
        assertThat(moved.stats()).isSameAs(changed.stats());
        assertThat(pools.member("vpn", "10.1.0.3:0")).isNull();
        assertThat(evicted).containsExactly("vpn/10.1.0.3:0");
        assertThat(pools.snapshot().service(0).pool().selectable()).extracting(m -> m.key())
                .containsExactly("10.1.0.1:0", "10.1.0.4:0");

        // A caller holding the replaced state object (a health checker started before the reload) still acts
        // on the live member.
        pools.health(changed, Health.DOWN);
        assertThat(moved.health()).isEqualTo(Health.DOWN);
        assertThat(evicted).containsExactly("vpn/10.1.0.3:0", "vpn/10.1.0.2:0");
    }
}

package io.vpnlb.control.pool;

import io.vpnlb.config.Algorithm;
import io.vpnlb.config.LbConfig;
import io.vpnlb.config.PersistenceScope;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.vpnlb.control.TestConfigs.config;
import static io.vpnlb.control.TestConfigs.ikev2;
import static io.vpnlb.control.TestConfigs.member;
import static io.vpnlb.control.TestConfigs.pool;
import static org.assertj.core.api.Assertions.assertThat;

class MemberHealthHistoryTest {

    private static LbConfig withWeight(int weight) {
        return config(List.of(ikev2("ikev2", "203.0.113.10", "vpn", PersistenceScope.VIP)),
                pool("vpn", Algorithm.MAGLEV, member("10.0.0.11", weight, 1), member("10.0.0.12", 100, 1)));
    }

    private static void check(PoolManager pools, MemberState member, boolean up) {
        HealthTransitions.apply(pools, member, up, up ? "ok" : "timeout", 1_000_000, 2, 2);
    }

    @Test
    void goingOutOfAndBackIntoServiceIsCountedOnce() {
        PoolManager pools = new PoolManager(withWeight(100));
        MemberState member = pools.member("vpn", "10.0.0.11:0");
        long added = member.healthSinceMillis();

        check(pools, member, false); // STOPPING: still serving, not a transition out of service
        assertThat(member.health()).isEqualTo(Health.STOPPING);
        assertThat(member.wentDown()).isZero();
        check(pools, member, false);
        check(pools, member, false);
        assertThat(member.health()).isEqualTo(Health.DOWN);
        assertThat(member.wentDown()).isEqualTo(1);
        assertThat(member.cameUp()).isZero();

        check(pools, member, true); // STARTING: not serving yet
        assertThat(member.cameUp()).isZero();
        check(pools, member, true);
        assertThat(member.health()).isEqualTo(Health.UP);
        assertThat(member.cameUp()).isEqualTo(1);
        assertThat(member.healthSinceMillis()).isGreaterThanOrEqualTo(added);

        MemberState other = pools.member("vpn", "10.0.0.12:0");
        assertThat(other.wentDown()).isZero();
        assertThat(other.cameUp()).isZero();
    }

    @Test
    void aReloadThatChangesTheMemberKeepsItsHistory() {
        PoolManager pools = new PoolManager(withWeight(100));
        MemberState before = pools.member("vpn", "10.0.0.11:0");
        for (int i = 0; i < 3; i++) {
            check(pools, before, false);
        }
        long since = before.healthSinceMillis();

        pools.apply(withWeight(50));

        MemberState after = pools.member("vpn", "10.0.0.11:0");
        assertThat(after).isNotSameAs(before);
        assertThat(after.health()).isEqualTo(Health.DOWN);
        assertThat(after.wentDown()).isEqualTo(1);
        assertThat(after.checks()).isEqualTo(3);
        assertThat(after.checkFailures()).isEqualTo(3);
        assertThat(after.healthSinceMillis()).isEqualTo(since);
        assertThat(after.lastCheck()).isEqualTo("timeout");
    }
}
